#!/usr/bin/env bash
# Installs the idguard CLI from a release archive, checking its SHA-256, or
# builds it from this checkout with cargo. The GitHub Action (action.yml) and
# the pre-commit hook (scripts/pre-commit-hook.sh) both install through it;
# scripts/test-install.sh tests it against a local directory of archives.
#
#   scripts/action-install.sh [install]   install (or reuse); print the binary's path
#   scripts/action-install.sh plan        print what install would fetch, and where
#
# Settings (environment):
#   IDGUARD_VERSION            version to install (0.1.0 or v0.1.0). Default:
#                              IDGUARD_REF when it is a version tag, else the
#                              version in this checkout's Cargo.toml.
#   IDGUARD_REF                the ref this checkout was taken at (the Action
#                              passes github.action_ref)
#   IDGUARD_BUILD_FROM_SOURCE  auto (default): download; build from source
#                              only when no binary is published for this
#                              platform (no target for its OS and
#                              architecture, or none in the release).
#                              true: always build. false: never build (no
#                              binary is an error).
#   IDGUARD_RELEASE_BASE_URL   where releases are: URL/vVERSION/ARCHIVE
#                              (https://, http://, file:// or a directory).
#                              Default: https://github.com/idguard/idguard/releases/download
#   IDGUARD_INSTALL_ROOT       where installs are kept, one directory per
#                              version and target. Default: $RUNNER_TOOL_CACHE/idguard
#                              in Actions, else ${XDG_CACHE_HOME:-~/.cache}/idguard.
#   IDGUARD_TARGET             the release target to fetch (default: from
#                              RUNNER_OS/RUNNER_ARCH, else uname)
#   IDGUARD_CARGO              cargo for source builds (default: cargo)
#   IDGUARD_INSTALL_QUIET=1    only warnings and errors on stderr
#
# Outputs: the binary's path on stdout; in Actions, also bin, dir, key,
# version, target, how (cache, download or source) and fresh (true when
# this run installed it, so the Action saves it to the cache) in
# $GITHUB_OUTPUT. A checksum mismatch or a missing checksum always fails;
# it never falls back to a source build.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if command -v cygpath >/dev/null 2>&1; then SRC="$(cygpath -m "$SRC")"; fi
DEFAULT_BASE_URL="https://github.com/idguard/idguard/releases/download"

# Everything but the binary's path goes to stderr, annotations included
# (the runner reads workflow commands from both streams; stdout is the
# path, captured by the callers).
log() { [ "${IDGUARD_INSTALL_QUIET:-}" = 1 ] || printf 'idguard-install: %s\n' "$*" >&2; }
fail() {
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    printf '::error title=idguard install::%s\n' "$*" >&2
  fi
  printf 'idguard-install: error: %s\n' "$*" >&2
  exit 1
}
warn() {
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    printf '::warning title=idguard install::%s\n' "$*" >&2
  fi
  printf 'idguard-install: warning: %s\n' "$*" >&2
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{print $1}'
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | awk '{print $1}'
  else
    openssl dgst -sha256 -r "$1" | awk '{print $1}'
  fi
}

# --- what to install ------------------------------------------------------

# The release target of this machine, or nothing when none is published
# for it. RUNNER_OS/RUNNER_ARCH (GitHub's names) win over uname.
platform_target() {
  local os arch
  os="${RUNNER_OS:-$(uname -s)}"
  arch="${RUNNER_ARCH:-$(uname -m)}"
  case "$os" in
    Linux | linux) os=linux ;;
    macOS | Darwin | darwin) os=macos ;;
    Windows | MINGW* | MSYS* | CYGWIN* | Windows_NT) os=windows ;;
    *) os="other:$os" ;;
  esac
  case "$arch" in
    X64 | x86_64 | amd64 | AMD64) arch=x86_64 ;;
    ARM64 | aarch64 | arm64) arch=aarch64 ;;
    *) arch="other:$arch" ;;
  esac
  case "$os/$arch" in
    linux/x86_64) echo x86_64-unknown-linux-musl ;;
    linux/aarch64) echo aarch64-unknown-linux-musl ;;
    macos/x86_64) echo x86_64-apple-darwin ;;
    macos/aarch64) echo aarch64-apple-darwin ;;
    windows/x86_64) echo x86_64-pc-windows-msvc ;;
    *) echo "" ;;
  esac
}

platform_name() { printf '%s %s' "${RUNNER_OS:-$(uname -s)}" "${RUNNER_ARCH:-$(uname -m)}"; }

checkout_version() {
  awk '/^\[workspace\.package\]/ { p = 1; next } /^\[/ { p = 0 } p && /^version *=/ { gsub(/.*= *"|".*/, ""); print; exit }' "$SRC/Cargo.toml"
}

# IDGUARD_VERSION, else a version tag as IDGUARD_REF, else Cargo.toml's.
resolve_version() {
  local v="${IDGUARD_VERSION:-}"
  if [ -z "$v" ]; then
    case "${IDGUARD_REF:-}" in
      v[0-9]*.*.*) v="${IDGUARD_REF}" ;;
    esac
  fi
  [ -n "$v" ] || v="$(checkout_version)"
  v="${v#v}"
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || fail "'$v' is not a version (want e.g. 0.1.0 or v0.1.0)"
  printf '%s' "$v"
}

# A short hash of the sources a build from this checkout compiles, so that
# a cached source build is reused only for the same sources.
source_hash() {
  local sum=sha256sum
  command -v sha256sum >/dev/null 2>&1 || sum="shasum -a 256"
  (
    cd "$SRC"
    # shellcheck disable=SC2086 # $sum is a command and its arguments
    find Cargo.toml Cargo.lock crates -type f -print0 2>/dev/null | LC_ALL=C sort -z | xargs -0 $sum
  ) | $sum | cut -c1-16
}

# A path both bash and native programs read: on Windows (Git Bash),
# C:/like/this, which actions/cache and cargo also take.
native_path() {
  if command -v cygpath >/dev/null 2>&1; then cygpath -m "$1"; else printf '%s' "$1"; fi
}

install_root() {
  if [ -n "${IDGUARD_INSTALL_ROOT:-}" ]; then
    native_path "$IDGUARD_INSTALL_ROOT"
  elif [ -n "${RUNNER_TOOL_CACHE:-}" ]; then
    native_path "$RUNNER_TOOL_CACHE/idguard"
  else
    native_path "${XDG_CACHE_HOME:-$HOME/.cache}/idguard"
  fi
}

exe_suffix() {
  case "$1" in *-windows-* | windows) printf .exe ;; esac
}

# The host's kind of executable, for a source build's binary name.
host_is_windows() {
  case "${RUNNER_OS:-$(uname -s)}" in Windows | MINGW* | MSYS* | CYGWIN* | Windows_NT) return 0 ;; esac
  return 1
}

# --- fetching -------------------------------------------------------------

# Sets FETCH_STATUS to ok, missing (404 or no such file) or error; the
# body goes to $2.
fetch() {
  local url="$1" dest="$2" code rc
  case "$url" in
    http://* | https://* | file://*) ;;
    *) url="file://$url" ;;
  esac
  rc=0
  code="$(curl --silent --show-error --location --fail --retry 3 --retry-delay 2 \
    --connect-timeout 20 --max-time 300 --output "$dest" --write-out '%{http_code}' "$url" 2>"$dest.err")" || rc=$?
  if [ "$rc" = 0 ]; then
    FETCH_STATUS=ok
  elif { [ "$rc" = 22 ] && [ "$code" = 404 ]; } || [ "$rc" = 37 ]; then
    FETCH_STATUS=missing
  else
    FETCH_STATUS=error
    FETCH_ERROR="$(tr '\n' ' ' < "$dest.err") (curl exit $rc, HTTP ${code:-none})"
  fi
  rm -f "$dest.err"
}

unpack() {
  local archive="$1" into="$2"
  case "$archive" in
    *.zip)
      if command -v unzip >/dev/null 2>&1; then
        unzip -q "$archive" -d "$into"
      elif command -v 7z >/dev/null 2>&1; then
        7z x -bso0 -o"$into" "$archive"
      else
        "$(command -v python3 || command -v python)" -m zipfile -e "$archive" "$into"
      fi
      ;;
    *) tar -xzf "$archive" -C "$into" ;;
  esac
}

# Downloads and checks the archive of VERSION for TARGET into DIR, and sets
# DOWNLOAD to ok, or to missing when the release has no archive for TARGET
# (MISSING_URL); fails on anything else.
download_into() {
  local version="$1" target="$2" dir="$3" base name archive url want got exe
  base="${IDGUARD_RELEASE_BASE_URL:-$DEFAULT_BASE_URL}"
  base="${base%/}"
  name="idguard-$version-$target"
  exe="$(exe_suffix "$target")"
  if [ -n "$exe" ]; then archive="$name.zip"; else archive="$name.tar.gz"; fi
  url="$base/v$version/$archive"
  tmp="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/idguard-dl.XXXXXX")"
  STAGES+=("$tmp")

  log "downloading $url"
  fetch "$url" "$tmp/$archive"
  case "$FETCH_STATUS" in
    missing) MISSING_URL="$url"; DOWNLOAD=missing; return 0 ;;
    error) fail "could not download $url: $FETCH_ERROR" ;;
  esac

  # The checksum: ARCHIVE.sha256, else the release's SHA256SUMS.
  fetch "$url.sha256" "$tmp/sum"
  if [ "$FETCH_STATUS" = missing ]; then
    fetch "$base/v$version/SHA256SUMS" "$tmp/sums"
    if [ "$FETCH_STATUS" = ok ]; then
      awk -v n="$archive" '$2 == n || $2 == "*" n { print $1 " " n; exit }' "$tmp/sums" > "$tmp/sum"
    fi
  fi
  case "$FETCH_STATUS" in
    missing) fail "no checksum for $archive (neither $url.sha256 nor $base/v$version/SHA256SUMS): refusing to install an unverified binary" ;;
    error) fail "could not download the checksum of $archive: $FETCH_ERROR" ;;
  esac
  want="$(awk '{print tolower($1); exit}' "$tmp/sum")"
  [[ "$want" =~ ^[0-9a-f]{64}$ ]] || fail "no SHA-256 for $archive in its checksum file (read '$(head -c 100 "$tmp/sum")')"
  got="$(sha256_of "$tmp/$archive")"
  if [ "$got" != "$want" ]; then
    fail "checksum mismatch for $archive: the release says $want, the download is $got; not installing it"
  fi
  log "checksum ok ($got)"

  mkdir -p "$tmp/x"
  unpack "$tmp/$archive" "$tmp/x"
  [ -f "$tmp/x/$name/idguard$exe" ] || fail "$archive has no $name/idguard$exe"
  # Into place in one rename, so that an interrupted install leaves nothing
  # that looks installed.
  local stage
  new_stage "$dir"
  stage="$NEW_STAGE"
  mkdir -p "$stage/bin"
  cp "$tmp/x/$name/idguard$exe" "$stage/bin/idguard$exe"
  chmod 755 "$stage/bin/idguard$exe"
  printf '%s  %s\n' "$got" "$archive" > "$stage/installed-from"
  rm -rf "$dir"
  mv "$stage" "$dir"
  DOWNLOAD=ok
}

build_into() {
  local dir="$1" cargo="${IDGUARD_CARGO:-cargo}"
  command -v "${cargo%% *}" >/dev/null 2>&1 ||
    fail "building idguard from source needs cargo, which is not installed: set up Rust first (e.g. dtolnay/rust-toolchain), or use a platform with a release binary"
  log "building idguard from $SRC with cargo (a few minutes)"
  local stage
  new_stage "$dir"
  stage="$NEW_STAGE"
  # shellcheck disable=SC2086 # IDGUARD_CARGO may carry arguments
  $cargo install --locked --quiet --path "$SRC/crates/idguard-cli" --root "$stage" ||
    fail "cargo install of idguard failed (see above)"
  printf 'source %s\n' "$SRC" > "$stage/installed-from"
  rm -rf "$dir"
  mv "$stage" "$dir"
}

# Sets NEW_STAGE to a new directory beside DIR (same file system, so the final rename is
# atomic), removed on exit unless renamed into place: an interrupted
# install leaves nothing that looks installed.
new_stage() {
  local parent stage
  parent="$(dirname "$1")"
  mkdir -p "$parent"
  stage="$(mktemp -d "$parent/.partial.XXXXXX")"
  STAGES+=("$stage")
  NEW_STAGE="$stage"
}

# --- main -----------------------------------------------------------------

STAGES=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { [ ${#STAGES[@]} = 0 ] || rm -rf "${STAGES[@]}"; }
trap cleanup EXIT

mode="${IDGUARD_BUILD_FROM_SOURCE:-auto}"
case "$mode" in
  auto | true | false) ;;
  *) fail "build-from-source is '$mode': use auto, true or false" ;;
esac

version="$(resolve_version)"
target="${IDGUARD_TARGET:-$(platform_target)}"
root="$(install_root)"

# Where a download and a source build go, and their cache keys.
bin_dir="$root/$version/${target:-none}"
bin_key="idguard-bin-$version-${target:-none}"
if host_is_windows; then host_exe=.exe; else host_exe=; fi

plan_how=download
if [ "$mode" = true ]; then
  plan_how=source
elif [ -z "$target" ] && [ "$mode" = auto ]; then
  plan_how=source
elif [ -z "$target" ]; then
  plan_how=none
fi
src_hash=""
if [ "$mode" != false ]; then
  src_hash="$(source_hash)"
fi
src_dir="$root/source-$src_hash/$(platform_name | tr ' A-Z' '-a-z')"
src_key="idguard-src-$src_hash-$(platform_name | tr ' A-Z' '-a-z')"

emit() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >> "$GITHUB_OUTPUT"
  fi
}

if [ "${1:-install}" = plan ]; then
  emit version "$version"
  emit target "$target"
  emit how "$plan_how"
  emit bin-dir "$bin_dir"
  emit bin-key "$bin_key"
  emit src-dir "$src_dir"
  emit src-key "$src_key"
  printf 'version=%s\ntarget=%s\nhow=%s\nbin-dir=%s\nsrc-dir=%s\n' "$version" "$target" "$plan_how" "$bin_dir" "$src_dir"
  exit 0
fi
[ "${1:-install}" = install ] || fail "unknown command '$1' (install or plan)"

finish() {
  local dir="$1" key="$2" how="$3" fresh="$4" bin
  bin="$dir/bin/idguard$5"
  [ -x "$bin" ] || fail "no executable at $bin after the $how"
  emit bin "$bin"
  emit dir "$dir"
  emit key "$key"
  emit version "$version"
  emit target "$target"
  emit how "$how"
  emit fresh "$fresh"
  log "idguard at $bin ($how)"
  printf '%s\n' "$bin"
  exit 0
}

build_source() {
  if [ -x "$src_dir/bin/idguard$host_exe" ] && [ -f "$src_dir/installed-from" ]; then
    finish "$src_dir" "$src_key" cache false "$host_exe"
  fi
  build_into "$src_dir"
  finish "$src_dir" "$src_key" source true "$host_exe"
}

if [ "$plan_how" = source ]; then
  if [ "$mode" = true ]; then
    log "build-from-source is true: building from source"
  else
    warn "no idguard release binary is published for $(platform_name); building from source"
  fi
  build_source
fi

if [ -z "$target" ]; then
  fail "no idguard release binary is published for $(platform_name), and build-from-source is false: set build-from-source to auto or true (needs Rust), or pass idguard-binary"
fi

exe="$(exe_suffix "$target")"
if [ -x "$bin_dir/bin/idguard$exe" ] && [ -f "$bin_dir/installed-from" ]; then
  log "idguard $version for $target is already installed (cache)"
  finish "$bin_dir" "$bin_key" cache false "$exe"
fi
download_into "$version" "$target" "$bin_dir"
if [ "$DOWNLOAD" = ok ]; then
  finish "$bin_dir" "$bin_key" download true "$exe"
fi
# The release (or the version) has no archive for this target.
if [ "$mode" = auto ]; then
  warn "no release archive at $MISSING_URL; building from source"
  build_source
fi
fail "no idguard $version release archive for $target (nothing at $MISSING_URL), and build-from-source is false: pick a released version, or set build-from-source to auto or true (needs Rust)"
