#!/usr/bin/env bash
# The pre-commit hook `idguard` (.pre-commit-hooks.yaml, language: script):
# pre-commit runs it from its clone of this repository at the `rev` the
# user's .pre-commit-config.yaml names. It installs the release binary of
# that version for this machine through scripts/action-install.sh (checked
# against its SHA-256, kept in ~/.cache/idguard/VERSION/TARGET, so only the
# first run downloads), then runs `idguard check` on the files pre-commit
# passes. Without a release binary for the machine it builds from this
# clone with cargo when cargo is installed (IDGUARD_BUILD_FROM_SOURCE=false
# turns that off). The settings of action-install.sh apply.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$(IDGUARD_INSTALL_QUIET="${IDGUARD_INSTALL_QUIET:-1}" bash "$here/action-install.sh" install)"
exec "$bin" check "$@"
