#!/usr/bin/env bash
# The CuPy backend on a GPU machine, in one go: the GPU tests, the core suite with the GPU
# present, then the GPU benchmarks (benchmarks/bench_gpu.py), each stage timed, and a summary.
#
# Installs nothing and needs no network: Python 3.10+ with CuPy (cupy-cuda13x or 12x),
# NumPy, pytest and hypothesis. No JupyterLab, no SciPy (the one core test module that
# imports SciPy is left out when it is missing). Runs from any directory; the repository
# is put on PYTHONPATH (symlab need not be installed). About 5 minutes on an H100.
#
#   benchmarks/gpu_check.sh            # PYTHON=python3.12 benchmarks/gpu_check.sh to choose
#
# Writes its logs and the benchmark rows (bench_gpu.json) to $OUT when that is set.
# Exit status: 0 when every stage passed, 1 when one failed, 2 when there is no usable GPU.

set -u
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
LOGS="${OUT:-$(mktemp -d)}"
mkdir -p "$LOGS"
SUMMARY=()
FAILED=0

stage() {            # stage NAME LIMIT_SECONDS COMMAND...: run, time, log, remember the result
    local name="$1" limit="$2"
    shift 2
    echo
    echo "==== $name"
    local start=$SECONDS
    timeout "$limit" "$@" 2>&1 | tee "$LOGS/$name.log"
    local status=${PIPESTATUS[0]}
    local took=$((SECONDS - start))
    if [ "$status" -eq 0 ]; then
        SUMMARY+=("$(printf '%-12s ok      %4ss' "$name" "$took")")
    else
        [ "$status" -eq 124 ] && note="timed out" || note="FAILED ($status)"
        SUMMARY+=("$(printf '%-12s %-7s %4ss  (log: %s)' "$name" "$note" "$took" "$LOGS/$name.log")")
        FAILED=1
    fi
}

echo "==== machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || true
if ! "$PY" - <<'PYEOF'
import sys
import numpy
try:
    import cupy
except ImportError as exc:
    sys.exit(f"no CuPy: {exc}")
from symlab.backends import cupy as backend
print(f"Python {sys.version.split()[0]}, NumPy {numpy.__version__}, CuPy {cupy.__version__}")
if not backend.is_available():
    sys.exit(f"symlab cannot use the GPU: {backend.unavailable_reason()}")
props = cupy.cuda.runtime.getDeviceProperties(0)
name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
print(f"device 0: {name}, compute capability {props['major']}.{props['minor']}")
PYEOF
then
    echo "gpu_check: stopping: no usable GPU (see above)"
    exit 2
fi

# 1. tests/gpu: the device tests (every row of the table on the device, random graphs on the
#    CPU and on cuda, shared variables, inputs, the MLP step, random draws on the device:
#    the Philox kernel against NumPy's, history, kind='philox' parity, a million draws'
#    statistics...), and the CPU-side ones.
stage gpu-tests 220 "$PY" -m pytest tests/gpu -q -p no:cacheprovider -rs --maxfail=30

# 2. The core suite with CuPy and the GPU present (the browser tests need Chromium: left out).
IGNORE=()
"$PY" -c "import scipy" 2>/dev/null || IGNORE+=(--ignore=tests/tensor/test_conv.py)
stage core-tests 120 "$PY" -m pytest tests -m "not browser" -q -p no:cacheprovider \
    --ignore=tests/gpu "${IGNORE[@]}"

# 3. The benchmarks: logistic (fused kernel vs CuPy by hand, GB/s vs the copy bandwidth),
#    the MLP step, the per-call overhead, uniform((4000, 4000)) drawn on the device (symlab's
#    Philox kernel vs cupy.random by hand).
stage benchmarks 140 "$PY" benchmarks/bench_gpu.py --json "$LOGS/bench_gpu.json"

echo
echo "==== summary"
printf '%s\n' "${SUMMARY[@]}"
[ ${#IGNORE[@]} -gt 0 ] && echo "(left out without SciPy: ${IGNORE[*]})"
echo "logs: $LOGS"
exit "$FAILED"
