#!/usr/bin/env bash
# Runs rhoc's whole test suite: every crate's unit, integration and
# conformance tests (one release build serves tests and binaries), then the
# shared conformance programs through the rhoc binary.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bins
cargo test --release --workspace
shared=../shared
if [ -x "$shared/tools/conformance" ]; then
  "$shared/tools/conformance" "${CARGO_TARGET_DIR:-target}/release/rhoc" "$shared/conformance"
fi
