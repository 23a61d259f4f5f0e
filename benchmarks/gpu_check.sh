#!/usr/bin/env bash
# The one device check (house rule: one prepared script per GPU session). Runs on the lent GPU
# machine from the repo root; writes everything under $OUT (or ./gpu_out).
#   bash benchmarks/gpu_check.sh
set -u
OUT=${OUT:-gpu_out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PLAIT_DEBUG=0 XLA_PYTHON_CLIENT_PREALLOCATE=false
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  python -c "import jax, jaxlib; print('jax', jax.__version__, 'jaxlib', jaxlib.__version__, jax.devices())"
} > "$OUT/machine.txt" 2>&1
timeout 120 python examples/kmeans.py > "$OUT/demo.txt" 2>&1; echo "demo rc=$?" >> "$OUT/demo.txt"
timeout -s INT 150 python benchmarks/run.py > "$OUT/bench.txt" 2>&1; echo "bench rc=$?" >> "$OUT/bench.txt"
# Backend-touching tests; sharding/distributed need 8 (simulated CPU) devices and run in CI.
timeout -s INT 270 python -m pytest -q -n 8 -p no:cacheprovider -p no:benchmark -rfE test \
  --ignore=test/test_sharding.py --ignore=test/test_distributed.py > "$OUT/tests.txt" 2>&1
echo "tests rc=$?" >> "$OUT/tests.txt"
tail -n 5 "$OUT"/*.txt
