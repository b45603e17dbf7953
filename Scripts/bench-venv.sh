# Sourced by the bench-*-vs-pytorch.sh scripts: the Python environment they share.
# Sets $venv (WEFT_BENCH_VENV, default /tmp/weft-bench-venv) and, with
#   bench_venv_require "import torch, numpy" torch numpy
# installs the packages from PyPI when the import fails.
venv="${WEFT_BENCH_VENV:-/tmp/weft-bench-venv}"
bench_venv_require() {
    local check="$1"; shift
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    if ! "$venv/bin/python" -c "$check" 2>/dev/null; then
        echo "$(basename "$0"): installing $* into $venv (from PyPI)" >&2
        "$venv/bin/pip" install --quiet --upgrade pip
        "$venv/bin/pip" install --quiet "$@"
    fi
}
