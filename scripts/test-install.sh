#!/usr/bin/env bash
# Tests of the release archive and of the install step of the Action and
# the pre-commit hook (scripts/action-install.sh, scripts/pre-commit-hook.sh),
# against a local "release": a directory laid out as GitHub serves releases
# (vVERSION/ARCHIVE), reached as file:// and over HTTP on 127.0.0.1.
#
#   scripts/test-install.sh DIST_DIR
#
# DIST_DIR holds what `scripts/release.sh --out DIST_DIR x86_64-unknown-linux-musl`
# wrote. Source builds are tested with a stand-in cargo (IDGUARD_CARGO) that
# records its arguments: the real one takes minutes and is what
# `cargo install` always does.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
DIST="${1:?usage: scripts/test-install.sh DIST_DIR}"
DIST="$(cd "$DIST" && pwd)"
INSTALL="$ROOT/scripts/action-install.sh"
TARGET=x86_64-unknown-linux-musl
VERSION="$(awk '/^\[workspace\.package\]/ { p = 1; next } /^\[/ { p = 0 } p && /^version *=/ { gsub(/.*= *"|".*/, ""); print; exit }' Cargo.toml)"
ARCHIVE="idguard-$VERSION-$TARGET.tar.gz"

passed=0
failed=0
ok() { passed=$((passed + 1)); printf '  ok   %s\n' "$1"; }
bad() { failed=$((failed + 1)); printf '  FAIL %s\n' "$1"; [ $# -lt 2 ] || printf '%s\n' "$2" | sed 's/^/       | /'; }
# Something the test needs is absent: listed at the end of scripts/test.sh
# (IDGUARD_SKIP_LOG); a failure in CI.
note_skip() {
  if [ -n "${CI:-}" ] && [ "${CI:-}" != false ] && [ "${CI:-}" != 0 ]; then
    bad "required in CI: $1"
  else
    printf '  SKIP %s\n' "$1"
    [ -z "${IDGUARD_SKIP_LOG:-}" ] || printf 'install  %s\n' "$1" >> "$IDGUARD_SKIP_LOG"
  fi
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/idguard-test-install.XXXXXX")"
SERVER_PID=""
cleanup() {
  [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# Runs the install script with a clean environment for one case: no
# GitHub variables of the calling shell, its own install root.
#   run NAME [VAR=VALUE...]  → sets OUT (stdout), ERR (stderr), RC
run() {
  local name="$1"
  shift
  mkdir -p "$WORK/$name"
  RC=0
  env -u GITHUB_ACTIONS -u GITHUB_OUTPUT -u RUNNER_OS -u RUNNER_ARCH -u RUNNER_TOOL_CACHE \
    -u IDGUARD_VERSION -u IDGUARD_REF -u IDGUARD_TARGET -u IDGUARD_BUILD_FROM_SOURCE \
    IDGUARD_INSTALL_ROOT="$WORK/$name/root" IDGUARD_CARGO="$UNEXPECTED_CARGO" "$@" bash "$INSTALL" "${INSTALL_CMD:-install}" \
    > "$WORK/$name/out" 2> "$WORK/$name/err" || RC=$?
  OUT="$(cat "$WORK/$name/out")"
  ERR="$(cat "$WORK/$name/err")"
}

# A release directory: vVERSION/ with the given files of DIST.
release_dir() {
  local dir="$WORK/$1"
  mkdir -p "$dir/v$VERSION"
  shift
  for f in "$@"; do cp "$DIST/$f" "$dir/v$VERSION/"; done
  printf '%s' "$dir"
}

# A stand-in cargo: records its arguments, and for `install ... --root DIR`
# writes DIR/bin/idguard, a script that says it was built from source.
FAKE_CARGO="$WORK/fake-cargo"
cat > "$FAKE_CARGO" <<'EOF'
#!/usr/bin/env bash
printf '%s\n' "$*" >> "$FAKE_CARGO_LOG"
root=""
while [ $# -gt 0 ]; do
  if [ "$1" = --root ]; then root="$2"; fi
  shift
done
mkdir -p "$root/bin"
printf '#!/bin/sh\necho "idguard built-from-source"\n' > "$root/bin/idguard"
chmod +x "$root/bin/idguard"
EOF
chmod +x "$FAKE_CARGO"
# The cargo of every case that must not build: fails, so a case that builds
# when it should not fails instead of compiling for minutes.
UNEXPECTED_CARGO="$WORK/unexpected-cargo"
printf '#!/bin/sh\necho "unexpected cargo $*" >&2\nexit 101\n' > "$UNEXPECTED_CARGO"
chmod +x "$UNEXPECTED_CARGO"

echo "==> the release archive ($ARCHIVE)"
if [ -f "$DIST/$ARCHIVE" ] && [ -f "$DIST/$ARCHIVE.sha256" ] && [ -f "$DIST/SHA256SUMS" ]; then
  ok "the archive, its .sha256 and SHA256SUMS are in $DIST"
else
  bad "the archive, its .sha256 and SHA256SUMS are in $DIST" "$(ls -la "$DIST")"
fi
if (cd "$DIST" && sha256sum --check --quiet "$ARCHIVE.sha256" && grep -F "  $ARCHIVE" SHA256SUMS | sha256sum --check --quiet); then
  ok "sha256sum --check accepts both checksum files"
else
  bad "sha256sum --check accepts both checksum files"
fi
listing="$(tar -tzf "$DIST/$ARCHIVE" | LC_ALL=C sort | tr '\n' ' ')"
want="idguard-$VERSION-$TARGET/ idguard-$VERSION-$TARGET/LICENSE idguard-$VERSION-$TARGET/README.md idguard-$VERSION-$TARGET/idguard "
if [ "$listing" = "$want" ]; then ok "the archive holds the binary, LICENSE and README.md in one directory"; else bad "archive contents" "$listing"; fi
mkdir -p "$WORK/unpacked"
tar -xzf "$DIST/$ARCHIVE" -C "$WORK/unpacked"
BIN="$WORK/unpacked/idguard-$VERSION-$TARGET/idguard"
headers="$(readelf --program-headers --dynamic "$BIN" 2>&1)"
if ! grep -q INTERP <<< "$headers" && ! grep -q '(NEEDED)' <<< "$headers"; then
  ok "the binary is statically linked (no interpreter, no shared libraries)"
else
  bad "the binary is statically linked" "$(grep -E 'INTERP|NEEDED' <<< "$headers")"
fi
if [ "$("$BIN" --version 2>&1)" = "idguard $VERSION" ]; then ok "idguard --version"; else bad "idguard --version" "$("$BIN" --version 2>&1)"; fi
rc=0
"$BIN" check examples/ --format json --output "$WORK/static.json" > "$WORK/static.txt" 2>&1 || rc=$?
if [ "$rc" = 1 ] && grep -q MI101 "$WORK/static.txt"; then
  ok "idguard check examples/ exits 1 with the example's findings"
else
  bad "idguard check examples/ exits 1 with the example's findings (exit $rc)" "$(head -20 "$WORK/static.txt")"
fi
# The same report as the binary the Rust tests built (when given).
if [ -n "${IDGUARD_BIN:-}" ] && [ -x "$IDGUARD_BIN" ]; then
  "$IDGUARD_BIN" check examples/ --format json --output "$WORK/dev.json" > /dev/null 2>&1
  if cmp -s "$WORK/static.json" "$WORK/dev.json"; then
    ok "its JSON report on examples/ is the one of $IDGUARD_BIN"
  else
    bad "its JSON report on examples/ is the one of $IDGUARD_BIN" "$(diff "$WORK/static.json" "$WORK/dev.json" | head -20)"
  fi
fi
# Policy plugins run in the static binary (wasmtime's compiler, memory and
# signal handling under musl), with the findings of the binary the tests
# built. The example plugin is the one the Rust plugin tests built.
plugin_wasm="${CARGO_TARGET_DIR:-target}/plugins/wasm32-unknown-unknown/release/required_cost_center.wasm"
case "$plugin_wasm" in /*) ;; *) plugin_wasm="$ROOT/$plugin_wasm" ;; esac
if [ -f "$plugin_wasm" ]; then
  printf '{"extends": "default", "plugins": [{"path": "%s", "name": "cost", "config": {"pattern": "^CC-[0-9]{4}$"}}]}\n' "$plugin_wasm" > "$WORK/plugin-policy.json"
  rc=0
  "$BIN" check tests/fixtures/plugins --policy "$WORK/plugin-policy.json" --plugin-cache "$WORK/plugin-cache" \
    --format json --output "$WORK/plugin.json" > "$WORK/plugin.txt" 2>&1 || rc=$?
  if [ "$rc" = 1 ] && grep -q '"code": "cost/' "$WORK/plugin.json"; then
    ok "a policy plugin runs in the static binary and reports its findings"
  else
    bad "a policy plugin runs in the static binary (exit $rc)" "$(head -20 "$WORK/plugin.txt")"
  fi
  if [ -n "${IDGUARD_BIN:-}" ] && [ -x "$IDGUARD_BIN" ]; then
    "$IDGUARD_BIN" check tests/fixtures/plugins --policy "$WORK/plugin-policy.json" --plugin-cache "$WORK/plugin-cache-dev" \
      --format json --output "$WORK/plugin-dev.json" > /dev/null 2>&1
    if cmp -s "$WORK/plugin.json" "$WORK/plugin-dev.json"; then
      ok "with the same report as $IDGUARD_BIN"
    else
      bad "the plugin report is the one of $IDGUARD_BIN" "$(diff "$WORK/plugin.json" "$WORK/plugin-dev.json" | head -20)"
    fi
  fi
else
  note_skip "the plugin check of the static binary: no $plugin_wasm (cargo test builds it)"
fi

echo "==> install from a release directory (file://)"
REL="$(release_dir rel-good "$ARCHIVE" "$ARCHIVE.sha256")"
run good IDGUARD_RELEASE_BASE_URL="file://$REL" IDGUARD_BUILD_FROM_SOURCE=false RUNNER_OS=Linux RUNNER_ARCH=X64
if [ "$RC" = 0 ] && [ -x "$OUT" ] && [ "$("$OUT" --version)" = "idguard $VERSION" ]; then
  ok "a good archive installs, and the installed binary runs"
else
  bad "a good archive installs, and the installed binary runs (exit $RC)" "$ERR"
fi
if grep -q 'checksum ok' <<< "$ERR"; then ok "its checksum was checked"; else bad "its checksum was checked" "$ERR"; fi
# Again, with the release gone: the installed copy is reused.
rm -rf "$REL"
run good IDGUARD_RELEASE_BASE_URL="file://$REL" IDGUARD_BUILD_FROM_SOURCE=false RUNNER_OS=Linux RUNNER_ARCH=X64
if [ "$RC" = 0 ] && grep -q '(cache)' <<< "$ERR" && [ -x "$OUT" ]; then ok "a second install reuses the installed copy"; else bad "a second install reuses the installed copy (exit $RC)" "$ERR"; fi

echo "==> GitHub Actions outputs, version from the ref"
REL="$(release_dir rel-gh "$ARCHIVE" "$ARCHIVE.sha256")"
: > "$WORK/gh-output"
run gh GITHUB_ACTIONS=true GITHUB_OUTPUT="$WORK/gh-output" IDGUARD_REF="v$VERSION" \
  IDGUARD_RELEASE_BASE_URL="$REL" RUNNER_OS=Linux RUNNER_ARCH=X64
if [ "$RC" = 0 ] && grep -qx "bin=$OUT" "$WORK/gh-output" && grep -qx "how=download" "$WORK/gh-output" &&
  grep -qx "fresh=true" "$WORK/gh-output" && grep -qx "key=idguard-bin-$VERSION-$TARGET" "$WORK/gh-output"; then
  ok "bin, how, fresh and key are written to GITHUB_OUTPUT (a plain directory as the base URL)"
else
  bad "GITHUB_OUTPUT (exit $RC)" "$(cat "$WORK/gh-output"; echo "$ERR")"
fi
INSTALL_CMD=plan run plan-ref IDGUARD_REF=v9.8.7 RUNNER_OS=macOS RUNNER_ARCH=ARM64
if grep -qx 'version=9.8.7' <<< "$OUT" && grep -qx 'target=aarch64-apple-darwin' <<< "$OUT"; then
  ok "a version tag as the ref picks that version; macOS ARM64 maps to aarch64-apple-darwin"
else
  bad "version from the ref" "$OUT$ERR"
fi
INSTALL_CMD=plan run plan-branch IDGUARD_REF=main RUNNER_OS=Windows RUNNER_ARCH=X64
if grep -qx "version=$VERSION" <<< "$OUT" && grep -qx 'target=x86_64-pc-windows-msvc' <<< "$OUT"; then
  ok "a branch as the ref picks the checkout's version; Windows X64 maps to x86_64-pc-windows-msvc"
else
  bad "version from a branch ref" "$OUT$ERR"
fi
INSTALL_CMD=plan run plan-input IDGUARD_REF=v9.8.7 IDGUARD_VERSION=v1.2.3 RUNNER_OS=Linux RUNNER_ARCH=ARM64
if grep -qx 'version=1.2.3' <<< "$OUT" && grep -qx 'target=aarch64-unknown-linux-musl' <<< "$OUT"; then
  ok "the version input wins over the ref; Linux ARM64 maps to aarch64-unknown-linux-musl"
else
  bad "version input" "$OUT$ERR"
fi
run bad-version IDGUARD_VERSION='1.2; rm -rf /'
if [ "$RC" != 0 ] && grep -q 'is not a version' <<< "$ERR"; then ok "a malformed version is refused"; else bad "a malformed version is refused (exit $RC)" "$ERR"; fi

echo "==> install over HTTP (127.0.0.1)"
REL="$(release_dir rel-http "$ARCHIVE" "$ARCHIVE.sha256")"
PORT_FILE="$WORK/port"
python3 - "$REL" "$PORT_FILE" > "$WORK/http.log" 2>&1 <<'EOF' &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
server.timeout = 120
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
EOF
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$PORT_FILE" ] && break; sleep 0.1; done
if [ -s "$PORT_FILE" ]; then
  URL="http://127.0.0.1:$(cat "$PORT_FILE")"
  run http IDGUARD_RELEASE_BASE_URL="$URL" IDGUARD_BUILD_FROM_SOURCE=false RUNNER_OS=Linux RUNNER_ARCH=X64
  if [ "$RC" = 0 ] && [ "$("$OUT" --version)" = "idguard $VERSION" ]; then ok "a good archive installs over HTTP"; else bad "a good archive installs over HTTP (exit $RC)" "$ERR"; fi
  run http-missing IDGUARD_RELEASE_BASE_URL="$URL" IDGUARD_BUILD_FROM_SOURCE=false IDGUARD_TARGET=aarch64-apple-darwin
  if [ "$RC" != 0 ] && grep -q "no idguard $VERSION release archive for aarch64-apple-darwin" <<< "$ERR"; then
    ok "an HTTP 404 is a missing archive (build-from-source false: a clear failure)"
  else
    bad "an HTTP 404 is a missing archive (exit $RC)" "$ERR"
  fi
  kill "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
  run http-down IDGUARD_RELEASE_BASE_URL="$URL" IDGUARD_BUILD_FROM_SOURCE=auto RUNNER_OS=Linux RUNNER_ARCH=X64 \
    IDGUARD_CARGO="$FAKE_CARGO" FAKE_CARGO_LOG="$WORK/cargo-down.log"
  if [ "$RC" != 0 ] && grep -q 'could not download' <<< "$ERR" && [ ! -s "$WORK/cargo-down.log" ]; then
    ok "an unreachable server fails the step (no silent source build)"
  else
    bad "an unreachable server fails the step (exit $RC)" "$ERR"
  fi
else
  bad "the local HTTP server started" "$(cat "$WORK/http.log")"
fi

echo "==> bad checksums fail"
REL="$(release_dir rel-badsum "$ARCHIVE")"
printf '%064d  %s\n' 0 "$ARCHIVE" > "$REL/v$VERSION/$ARCHIVE.sha256"
run badsum IDGUARD_RELEASE_BASE_URL="$REL" IDGUARD_BUILD_FROM_SOURCE=auto RUNNER_OS=Linux RUNNER_ARCH=X64 \
  IDGUARD_CARGO="$FAKE_CARGO" FAKE_CARGO_LOG="$WORK/cargo-badsum.log"
if [ "$RC" != 0 ] && grep -q 'checksum mismatch' <<< "$ERR" && [ ! -e "$WORK/badsum/root/$VERSION/$TARGET/bin/idguard" ] && [ ! -s "$WORK/cargo-badsum.log" ]; then
  ok "a wrong .sha256 fails the step, installs nothing and does not fall back to a source build"
else
  bad "a wrong .sha256 fails the step (exit $RC)" "$ERR"
fi
REL="$(release_dir rel-tampered "$ARCHIVE" "$ARCHIVE.sha256")"
printf 'x' >> "$REL/v$VERSION/$ARCHIVE"
: > "$WORK/gh-tampered"
run tampered IDGUARD_RELEASE_BASE_URL="file://$REL" RUNNER_OS=Linux RUNNER_ARCH=X64 GITHUB_ACTIONS=true GITHUB_OUTPUT="$WORK/gh-tampered"
if [ "$RC" != 0 ] && grep -q '^::error title=idguard install::checksum mismatch' <<< "$ERR" && [ -z "$OUT" ] && ! grep -q '^bin=' "$WORK/gh-tampered"; then
  ok "a changed archive fails the step with an error annotation, and no path or bin output"
else
  bad "a changed archive fails the step (exit $RC)" "stdout: $OUT; stderr: $ERR"
fi
REL="$(release_dir rel-nosum "$ARCHIVE")"
run nosum IDGUARD_RELEASE_BASE_URL="file://$REL" RUNNER_OS=Linux RUNNER_ARCH=X64
if [ "$RC" != 0 ] && grep -q 'no checksum for' <<< "$ERR" && [ ! -e "$WORK/nosum/root/$VERSION/$TARGET/bin/idguard" ]; then
  ok "an archive without a checksum is refused"
else
  bad "an archive without a checksum is refused (exit $RC)" "$ERR"
fi
REL="$(release_dir rel-sums "$ARCHIVE" SHA256SUMS)"
run sums IDGUARD_RELEASE_BASE_URL="file://$REL" RUNNER_OS=Linux RUNNER_ARCH=X64
if [ "$RC" = 0 ] && [ -x "$OUT" ]; then ok "SHA256SUMS is used when the .sha256 file is absent"; else bad "SHA256SUMS is used when the .sha256 file is absent (exit $RC)" "$ERR"; fi

echo "==> a Windows-style .zip archive (release.sh --package, then the install's unzip)"
# The Linux binary packaged as the Windows target: exercises the .zip
# writing of release.sh and the .zip reading of the install here.
WIN=x86_64-pc-windows-msvc
if bash scripts/release.sh --package "$BIN" --out "$WORK/zip-dist" "$WIN" > "$WORK/zip.log" 2>&1 &&
  [ "$(python3 -c 'import sys, zipfile; print(" ".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())), end=" ")' "$WORK/zip-dist/idguard-$VERSION-$WIN.zip")" = \
    "idguard-$VERSION-$WIN/ idguard-$VERSION-$WIN/LICENSE idguard-$VERSION-$WIN/README.md idguard-$VERSION-$WIN/idguard.exe " ]; then
  ok "release.sh --package writes a .zip with idguard.exe, LICENSE and README.md"
else
  bad "release.sh --package writes a .zip" "$(cat "$WORK/zip.log")"
fi
mkdir -p "$WORK/rel-zip/v$VERSION"
cp "$WORK/zip-dist/idguard-$VERSION-$WIN.zip" "$WORK/zip-dist/idguard-$VERSION-$WIN.zip.sha256" "$WORK/rel-zip/v$VERSION/" 2>/dev/null
run zip IDGUARD_RELEASE_BASE_URL="file://$WORK/rel-zip" IDGUARD_BUILD_FROM_SOURCE=false RUNNER_OS=Windows RUNNER_ARCH=X64
if [ "$RC" = 0 ] && [ "${OUT##*/}" = idguard.exe ] && [ "$("$OUT" --version)" = "idguard $VERSION" ]; then
  ok "a Windows runner gets the .zip, checked and unpacked to bin/idguard.exe"
else
  bad "a Windows runner gets the .zip (exit $RC)" "$ERR"
fi

echo "==> a target without a binary"
REL="$(release_dir rel-missing "$ARCHIVE" "$ARCHIVE.sha256")"
run missing-false IDGUARD_RELEASE_BASE_URL="file://$REL" IDGUARD_BUILD_FROM_SOURCE=false RUNNER_OS=Linux RUNNER_ARCH=ARM64 \
  IDGUARD_CARGO="$FAKE_CARGO" FAKE_CARGO_LOG="$WORK/cargo-missing-false.log"
if [ "$RC" != 0 ] && grep -q "no idguard $VERSION release archive for aarch64-unknown-linux-musl" <<< "$ERR" &&
  grep -q 'build-from-source' <<< "$ERR" && [ ! -s "$WORK/cargo-missing-false.log" ]; then
  ok "no archive for the target, build-from-source false: fails, naming the target and the way out"
else
  bad "no archive for the target, build-from-source false (exit $RC)" "$ERR"
fi
run missing-auto IDGUARD_RELEASE_BASE_URL="file://$REL" IDGUARD_BUILD_FROM_SOURCE=auto RUNNER_OS=Linux RUNNER_ARCH=ARM64 \
  IDGUARD_CARGO="$FAKE_CARGO" FAKE_CARGO_LOG="$WORK/cargo-missing-auto.log"
if [ "$RC" = 0 ] && [ "$("$OUT")" = "idguard built-from-source" ] &&
  grep -qx "install --locked --quiet --path $ROOT/crates/idguard-cli --root $WORK/missing-auto/root/source-.*" "$WORK/cargo-missing-auto.log"; then
  ok "no archive for the target, build-from-source auto: cargo install --locked of this checkout's CLI"
else
  bad "no archive for the target, build-from-source auto (exit $RC)" "$ERR$(cat "$WORK/cargo-missing-auto.log" 2>/dev/null)"
fi
run unmapped-false IDGUARD_RELEASE_BASE_URL="file://$REL" IDGUARD_BUILD_FROM_SOURCE=false RUNNER_OS=Linux RUNNER_ARCH=ARM
if [ "$RC" != 0 ] && grep -q 'no idguard release binary is published for Linux ARM' <<< "$ERR"; then
  ok "an unmapped platform (Linux ARM), build-from-source false: fails with a clear message"
else
  bad "an unmapped platform, build-from-source false (exit $RC)" "$ERR"
fi
run unmapped-auto IDGUARD_RELEASE_BASE_URL="file://$REL" RUNNER_OS=FreeBSD RUNNER_ARCH=X64 \
  IDGUARD_CARGO="$FAKE_CARGO" FAKE_CARGO_LOG="$WORK/cargo-unmapped.log"
if [ "$RC" = 0 ] && [ "$("$OUT")" = "idguard built-from-source" ] && [ -s "$WORK/cargo-unmapped.log" ]; then
  ok "an unmapped platform (FreeBSD X64), build-from-source auto (the default): builds from source"
else
  bad "an unmapped platform, build-from-source auto (exit $RC)" "$ERR"
fi
run unmapped-auto IDGUARD_RELEASE_BASE_URL="file://$REL" RUNNER_OS=FreeBSD RUNNER_ARCH=X64 \
  IDGUARD_CARGO="$FAKE_CARGO" FAKE_CARGO_LOG="$WORK/cargo-unmapped2.log"
if [ "$RC" = 0 ] && grep -q '(cache)' <<< "$ERR" && [ ! -s "$WORK/cargo-unmapped2.log" ]; then
  ok "a second run reuses the source build"
else
  bad "a second run reuses the source build (exit $RC)" "$ERR"
fi
run forced IDGUARD_RELEASE_BASE_URL="file://$WORK/nowhere" IDGUARD_BUILD_FROM_SOURCE=true RUNNER_OS=Linux RUNNER_ARCH=X64 \
  IDGUARD_CARGO="$FAKE_CARGO" FAKE_CARGO_LOG="$WORK/cargo-forced.log"
if [ "$RC" = 0 ] && [ "$("$OUT")" = "idguard built-from-source" ] && ! grep -q downloading <<< "$ERR"; then
  ok "build-from-source true builds without downloading"
else
  bad "build-from-source true (exit $RC)" "$ERR"
fi
run nocargo IDGUARD_RELEASE_BASE_URL="file://$REL" IDGUARD_BUILD_FROM_SOURCE=true IDGUARD_CARGO="$WORK/no-such-cargo"
if [ "$RC" != 0 ] && grep -q 'needs cargo, which is not installed' <<< "$ERR"; then
  ok "a source build without cargo fails with a clear message"
else
  bad "a source build without cargo (exit $RC)" "$ERR"
fi
run badmode IDGUARD_BUILD_FROM_SOURCE=yes
if [ "$RC" != 0 ] && grep -q "use auto, true or false" <<< "$ERR"; then ok "an unknown build-from-source value is refused"; else bad "unknown build-from-source (exit $RC)" "$ERR"; fi

echo "==> the pre-commit hook (scripts/pre-commit-hook.sh)"
REL="$(release_dir rel-hook "$ARCHIVE" "$ARCHIVE.sha256")"
hook() {
  RC=0
  env -u GITHUB_ACTIONS -u GITHUB_OUTPUT -u RUNNER_OS -u RUNNER_ARCH -u RUNNER_TOOL_CACHE -u IDGUARD_VERSION -u IDGUARD_REF \
    -u IDGUARD_INSTALL_ROOT IDGUARD_CARGO="$UNEXPECTED_CARGO" \
    IDGUARD_RELEASE_BASE_URL="file://$REL" IDGUARD_BUILD_FROM_SOURCE=false XDG_CACHE_HOME="$WORK/hook-cache" \
    RUNNER_OS=Linux RUNNER_ARCH=X64 \
    bash scripts/pre-commit-hook.sh "$@" > "$WORK/hook.out" 2>&1 || RC=$?
}
hook examples/payments/main.bicep
if [ "$RC" = 1 ] && grep -q 'MI101' "$WORK/hook.out" && [ -x "$WORK/hook-cache/idguard/$VERSION/$TARGET/bin/idguard" ]; then
  ok "on a template with findings: installs the release into the cache and fails (exit 1) with the findings"
else
  bad "the hook on a template with findings (exit $RC)" "$(head -30 "$WORK/hook.out")"
fi
mkdir -p "$WORK/clean"
cat > "$WORK/clean/main.json" <<'EOF'
{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": []
}
EOF
rm -rf "$REL"
hook "$WORK/clean/main.json"
if [ "$RC" = 0 ]; then
  ok "on a clean template: passes, from the cached binary (the release directory is gone)"
else
  bad "the hook on a clean template (exit $RC)" "$(head -30 "$WORK/hook.out")"
fi

printf '\ninstall-tests: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
