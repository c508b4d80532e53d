#!/usr/bin/env bash
# Every check this repository has, on a fresh machine: installs what the tests
# need (scripts/install-deps.sh), then formatting, lints, the docs, every test, and the
# barbell accuracy check when its data is there. `.ci/run` calls this script.
#
# After the install, a test whose tool is missing fails instead of skipping
# (POSTURED_REQUIRE_TOOLS). The barbell data is not ours to ship: set
# POSTURED_BARBELL_DATA to its folder (default ../shared/data/barbell-metamotion);
# without it the check is reported as NOT RUN at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

# A full run writes about 11 GiB under target/ (debug, clippy and test builds).
# With the disk nearly full the linker dies mid-build with a bus error or "No
# space left on device"; say so plainly first.
target_dir="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target_dir"
free_kib=$(df -Pk "$target_dir" | awk 'NR == 2 { print $4 }')
if [ "$free_kib" -lt $((2 * 1024 * 1024)) ]; then
  echo "error: only $((free_kib / 1024)) MiB free on the disk holding $target_dir/; a full run needs about 11 GiB. Free some space (old target/ folders: cargo clean) and run again." >&2
  exit 1
elif [ "$free_kib" -lt $((12 * 1024 * 1024)) ]; then
  echo "warning: only $((free_kib / 1024 / 1024)) GiB free on the disk holding $target_dir/; a full run needs about 11 GiB" >&2
fi

bash scripts/install-deps.sh
export POSTURED_REQUIRE_TOOLS=1

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# The docs build without a warning: a link to nothing is a mistake.
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --document-private-items --locked
cargo test --workspace --locked

barbell="${POSTURED_BARBELL_DATA:-../shared/data/barbell-metamotion}"
if [ -f "$barbell/manifest.csv" ]; then
  POSTURED_BARBELL_DATA="$barbell" cargo run --locked --quiet --example score_barbell -- --check
else
  echo >&2
  echo "NOT RUN: the barbell accuracy check (no data at $barbell; set POSTURED_BARBELL_DATA)" >&2
fi
echo "all checks passed"
