#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, the Rust test suites,
# the wasm32 build of the core, and (when present) the JavaScript packages'
# tests. Installs what it needs (rustup target) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

# The plugin tests build the example plugins for wasm32, so the target is
# installed before the tests run.
if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  rustup target add wasm32-unknown-unknown
fi

step "cargo test"
cargo test --workspace --locked

step "idguard-core and idguard-plugin build for wasm32-unknown-unknown"
cargo build -p idguard-core -p idguard-plugin --target wasm32-unknown-unknown --locked

step "example plugins: clippy for wasm32"
for manifest in policies/plugins/*/Cargo.toml; do
  cargo clippy --release --locked --target wasm32-unknown-unknown \
    --manifest-path "$manifest" --target-dir "${CARGO_TARGET_DIR:-target}/plugins" -- -D warnings
done

if [ -f package.json ] && [ -d wasm ]; then
  step "npm test (wasm package, browser and editor tests)"
  # The parity test compares the wasm package with the native CLI: use the
  # binary `cargo test` just built rather than building a release one.
  target_dir="${CARGO_TARGET_DIR:-target}"
  case "$target_dir" in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac
  export IDGUARD_BIN="${IDGUARD_BIN:-$target_dir/debug/idguard}"
  npm test
fi

printf '\nAll tests passed.\n'
