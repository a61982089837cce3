#!/usr/bin/env bash
# Builds the idguard CLI for one target and packages it as a release
# archive with its SHA-256 checksum. The release workflow
# (.github/workflows/release.yml) runs it on each target's runner, and the
# test command (scripts/test.sh) runs it here for x86_64-unknown-linux-musl,
# so the archives users download come from the script the tests exercise.
#
#   scripts/release.sh [--out DIR] [--profile PROFILE] TARGET
#       build `cargo build -p idguard-cli --profile PROFILE --target TARGET`
#       (PROFILE defaults to `dist`: the release profile, stripped), check
#       the binary (static on Linux; `--version` where the host can run it),
#       and write into DIR (default dist/):
#         idguard-VERSION-TARGET.tar.gz   (.zip for Windows targets) holding
#           idguard-VERSION-TARGET/{idguard[.exe],LICENSE,README.md}
#         idguard-VERSION-TARGET.tar.gz.sha256   "HASH  NAME", as sha256sum writes
#         SHA256SUMS                      every archive of DIR, rewritten
#   scripts/release.sh --package BINARY [--out DIR] TARGET
#       package an already built BINARY for TARGET (no cargo)
#   scripts/release.sh --sums DIR
#       check each archive of DIR against its .sha256 file and rewrite
#       DIR/SHA256SUMS (the publish job, after collecting every target)
#
# Linux targets are musl, linked statically; wasmtime compiles one C file,
# so a C compiler for musl is needed: `musl-gcc` from Debian/Ubuntu's
# musl-tools, installed with apt-get when missing (as root, or with sudo).
# Each target is built on a runner of its own architecture; the one
# cross-build is x86_64-apple-darwin on an arm64 Mac (Apple's toolchain
# builds both), whose binary is then not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf 'release: %s\n' "$*" >&2; }
die() {
  printf 'release: error: %s\n' "$*" >&2
  exit 1
}

# SHA-256 of a file, hex: sha256sum (Linux, Git Bash), shasum (macOS), openssl.
sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{print $1}'
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | awk '{print $1}'
  else
    openssl dgst -sha256 -r "$1" | awk '{print $1}'
  fi
}

# The workspace version ([workspace.package] version in Cargo.toml).
workspace_version() {
  awk '/^\[workspace\.package\]/ { p = 1; next } /^\[/ { p = 0 } p && /^version *=/ { gsub(/.*= *"|".*/, ""); print; exit }' Cargo.toml
}

# Rewrites DIR/SHA256SUMS from the archives in DIR, after checking each
# against its own .sha256 file when it has one.
write_sums() {
  local dir="$1" name want got n=0
  [ -d "$dir" ] || die "no directory $dir"
  : > "$dir/SHA256SUMS.tmp"
  for path in "$dir"/idguard-*.tar.gz "$dir"/idguard-*.zip; do
    [ -f "$path" ] || continue
    name="$(basename "$path")"
    got="$(sha256_of "$path")"
    if [ -f "$path.sha256" ]; then
      want="$(awk '{print $1; exit}' "$path.sha256")"
      [ "$want" = "$got" ] || die "$name does not match $name.sha256 (file $got, recorded $want)"
    fi
    printf '%s  %s\n' "$got" "$name" >> "$dir/SHA256SUMS.tmp"
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] || die "no idguard-*.tar.gz or idguard-*.zip in $dir"
  LC_ALL=C sort -k2 "$dir/SHA256SUMS.tmp" > "$dir/SHA256SUMS"
  rm -f "$dir/SHA256SUMS.tmp"
  say "$dir/SHA256SUMS: $n archive(s)"
}

# arch and os of a target triple: x86_64-unknown-linux-musl → x86_64 linux.
triple_arch() { printf '%s' "${1%%-*}"; }
triple_os() {
  case "$1" in
    *-linux-*) printf linux ;;
    *-apple-darwin) printf darwin ;;
    *-windows-*) printf windows ;;
    *) printf other ;;
  esac
}

# Makes sure a C compiler for musl is at hand for wasmtime's one C file and
# tells the cc crate to use it.
ensure_musl_cc() {
  local target="$1" host_arch
  host_arch="$(uname -m)"
  [ "$host_arch" = arm64 ] && host_arch=aarch64
  if [ "$(triple_arch "$target")" != "$host_arch" ]; then
    die "$target is built on a $(triple_arch "$target") Linux machine (musl-gcc builds for its own architecture only); this is $host_arch"
  fi
  if ! command -v musl-gcc >/dev/null 2>&1; then
    say "installing musl-tools (musl-gcc) with apt-get"
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    command -v apt-get >/dev/null 2>&1 || die "musl-gcc is missing and there is no apt-get to install musl-tools: install musl's gcc wrapper (musl-gcc)"
    # apt-get update only when the package is unknown (a fresh image).
    if ! apt-cache show musl-tools >/dev/null 2>&1; then
      "${sudo[@]}" apt-get update -qq
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq musl-tools >/dev/null
    command -v musl-gcc >/dev/null 2>&1 || die "musl-tools is installed but musl-gcc is not on PATH"
  fi
  local var="CC_${target//-/_}"
  export "$var=musl-gcc"
}

# Fails unless BINARY is statically linked: no program interpreter and no
# shared-library dependencies.
check_static() {
  local bin="$1" headers
  command -v readelf >/dev/null 2>&1 || die "readelf (binutils) is needed to check that $bin is static"
  headers="$(readelf --program-headers --dynamic "$bin" 2>&1)"
  if grep -q 'INTERP' <<< "$headers" || grep -q '(NEEDED)' <<< "$headers"; then
    printf '%s\n' "$headers" | grep -E 'INTERP|NEEDED|interpreter' >&2 || true
    die "$bin is not statically linked"
  fi
  say "$(basename "$bin") is statically linked"
}

# Runs BINARY --version when the host can run TARGET's binaries, and checks
# that it names VERSION.
check_runs() {
  local bin="$1" target="$2" version="$3" host_arch host_os out
  host_arch="$(uname -m)"
  [ "$host_arch" = arm64 ] && host_arch=aarch64
  [ "$host_arch" = amd64 ] && host_arch=x86_64
  case "$(uname -s)" in
    Linux) host_os=linux ;;
    Darwin) host_os=darwin ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT) host_os=windows ;;
    *) host_os=other ;;
  esac
  if [ "$(triple_arch "$target")" != "$host_arch" ] || [ "$(triple_os "$target")" != "$host_os" ]; then
    say "not running the $target binary on this $host_arch $host_os host (cross-built)"
    return 0
  fi
  out="$("$bin" --version)" || die "$bin --version failed"
  [ "$out" = "idguard $version" ] || die "$bin --version printed '$out', expected 'idguard $version'"
  say "$out runs"
}

# Writes the archive of BINARY for TARGET into OUT, with its .sha256, and
# rewrites OUT/SHA256SUMS.
package() {
  local bin="$1" target="$2" out="$3" version exe="" stage name archive
  version="$(workspace_version)"
  [ -n "$version" ] || die "cannot read [workspace.package] version from Cargo.toml"
  [ -f "$bin" ] || die "no binary at $bin"
  case "$target" in *-windows-*) exe=.exe ;; esac
  name="idguard-$version-$target"
  mkdir -p "$out"
  out="$(cd "$out" && pwd)"
  stage="$(mktemp -d "${TMPDIR:-/tmp}/idguard-release.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: the trap outlives the local.
  trap "rm -rf '$stage'" EXIT
  mkdir "$stage/$name"
  cp "$bin" "$stage/$name/idguard$exe"
  chmod 755 "$stage/$name/idguard$exe"
  cp LICENSE README.md "$stage/$name/"
  # Same bytes for the same inputs: fixed times (the last commit's, else
  # 2000-01-01), owners and order where the tools allow.
  local epoch="${SOURCE_DATE_EPOCH:-}"
  [ -n "$epoch" ] || epoch="$(git log -1 --format=%ct 2>/dev/null || echo 946684800)"
  touch -d "@$epoch" "$stage/$name" "$stage/$name"/* 2>/dev/null || true
  if [ -n "$exe" ]; then
    archive="$name.zip"
    rm -f "$out/$archive"
    if command -v zip >/dev/null 2>&1; then
      (cd "$stage" && zip -qXr "$out/$archive" "$name")
    elif command -v 7z >/dev/null 2>&1; then
      (cd "$stage" && 7z a -tzip -bso0 "$out/$archive" "$name")
    else
      local py
      py="$(command -v python3 || command -v python)" || die "no zip, 7z or python to write $archive"
      (cd "$stage" && "$py" -m zipfile -c "$out/$archive" "$name")
    fi
  else
    archive="$name.tar.gz"
    local tar_flags=()
    if tar --version 2>/dev/null | grep -q 'GNU tar'; then
      tar_flags=(--sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch")
    fi
    (cd "$stage" && tar "${tar_flags[@]}" -cf - "$name") | gzip -9n > "$out/$archive"
  fi
  printf '%s  %s\n' "$(sha256_of "$out/$archive")" "$archive" > "$out/$archive.sha256"
  say "$out/$archive ($(wc -c < "$out/$archive" | tr -d ' ') bytes)"
  say "$(cat "$out/$archive.sha256")"
  write_sums "$out"
  rm -rf "$stage"
  trap - EXIT
}

out="dist"
profile="${IDGUARD_RELEASE_PROFILE:-dist}"
prebuilt=""
target=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --profile) profile="$2"; shift 2 ;;
    --package) prebuilt="$2"; shift 2 ;;
    --sums) write_sums "$2"; exit 0 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$target" ] || die "one target at a time"; target="$1"; shift ;;
  esac
done
[ -n "$target" ] || die "usage: scripts/release.sh [--out DIR] [--profile PROFILE] TARGET (see --help)"
case "$target" in
  x86_64-unknown-linux-musl | aarch64-unknown-linux-musl | x86_64-apple-darwin | aarch64-apple-darwin | x86_64-pc-windows-msvc) ;;
  *) say "warning: $target is not one of the published targets" ;;
esac

exe=""
case "$target" in *-windows-*) exe=.exe ;; esac

if [ -n "$prebuilt" ]; then
  package "$prebuilt" "$target" "$out"
  exit 0
fi

version="$(workspace_version)"
say "idguard $version for $target (profile $profile)"
if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  say "adding the $target target"
  rustup target add "$target"
fi
case "$target" in
  *-linux-musl*) ensure_musl_cc "$target" ;;
  # The C runtime linked in, so the binary needs no Visual C++ redistributable.
  *-windows-msvc) export "CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<< "$target")_RUSTFLAGS=-C target-feature=+crt-static" ;;
esac

started=$SECONDS
cargo build --locked -p idguard-cli --profile "$profile" --target "$target"
say "built in $((SECONDS - started))s"

target_dir="${CARGO_TARGET_DIR:-$ROOT/target}"
profile_dir="$profile"
[ "$profile" = dev ] && profile_dir=debug
bin="$target_dir/$target/$profile_dir/idguard$exe"
case "$target" in *-linux-*) check_static "$bin" ;; esac
check_runs "$bin" "$target" "$version"
package "$bin" "$target" "$out"
