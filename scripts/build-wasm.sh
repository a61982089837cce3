#!/usr/bin/env bash
# Builds the WebAssembly package into wasm/pkg/: the idguard-wasm crate for
# wasm32-unknown-unknown (profile wasm-release), wasm-bindgen --target web,
# then wasm-opt. Installs what is missing (the wasm32 target, the
# wasm-bindgen CLI of exactly the crate's version under target/tools, the
# binaryen npm package); skips steps whose output is up to date.
#
#   scripts/build-wasm.sh            build (incrementally)
#   IDGUARD_WASM_OPT=-O3 scripts/build-wasm.sh   another wasm-opt level
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
TOOLS="$TARGET_DIR/tools"
OUT="$ROOT/wasm/pkg"
OPT_LEVEL="${IDGUARD_WASM_OPT:--Oz}"

say() { printf 'build-wasm: %s\n' "$*" >&2; }

# 1. The wasm32 target.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. The wasm-bindgen CLI of exactly the version in Cargo.lock.
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$WB_VERSION" ]; then
  say "cannot read the wasm-bindgen version from Cargo.lock"
  exit 1
fi
WB="$TOOLS/bin/wasm-bindgen"
if [ ! -x "$WB" ] || [ "$("$WB" --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  say "installing wasm-bindgen-cli $WB_VERSION into target/tools (first time only: a few minutes)"
  # --locked first; when the registry no longer serves one of the versions
  # the CLI's lockfile names, fall back to the newest compatible ones.
  if ! cargo install wasm-bindgen-cli --version "$WB_VERSION" --locked --root "$TOOLS" --force; then
    say "the locked install failed; retrying without --locked"
    cargo install wasm-bindgen-cli --version "$WB_VERSION" --root "$TOOLS" --force
  fi
fi

# 3. The npm dependencies (wasm-opt from binaryen, playwright-core,
# typescript, the language server's packages), exactly as the lock file
# says: installed when absent or older than package-lock.json.
WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"
if [ ! -x "$WASM_OPT" ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci (the workspace's npm dependencies)"
  npm ci --no-audit --no-fund
fi

# 4. The crate.
say "cargo build -p idguard-wasm --target wasm32-unknown-unknown --profile wasm-release"
cargo build -p idguard-wasm --target wasm32-unknown-unknown --profile wasm-release
RAW="$TARGET_DIR/wasm32-unknown-unknown/wasm-release/idguard_wasm.wasm"

# 5. Bindings and optimization, unless the output is newer than the input.
STAMP="$OUT/.build-stamp"
WANT="$WB_VERSION $OPT_LEVEL $(cksum < "$RAW" | awk '{print $1 "-" $2}')"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -f "$OUT/idguard_wasm_bg.wasm" ] && [ -f "$OUT/idguard_wasm.js" ]; then
  say "wasm/pkg is up to date"
  exit 0
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
"$WB" --target web --out-dir "$TMP" --out-name idguard_wasm "$RAW"
say "wasm-opt $OPT_LEVEL"
# wasm-opt reads the enabled features from the target_features section
# (kept by the profile: no `strip`), then drops it with the debug info.
"$WASM_OPT" "$OPT_LEVEL" --strip-debug --strip-producers --strip-target-features \
  "$TMP/idguard_wasm_bg.wasm" -o "$TMP/idguard_wasm_bg.opt.wasm"
mv "$TMP/idguard_wasm_bg.opt.wasm" "$TMP/idguard_wasm_bg.wasm"
mkdir -p "$OUT"
rm -f "$OUT"/idguard_wasm*
cp "$TMP"/idguard_wasm* "$OUT"/
echo "$WANT" > "$STAMP"
say "wasm/pkg: $(wc -c < "$OUT/idguard_wasm_bg.wasm") bytes ($(gzip -9c "$OUT/idguard_wasm_bg.wasm" | wc -c) gzipped)"
