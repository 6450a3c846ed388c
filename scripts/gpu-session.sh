#!/usr/bin/env bash
# The GPU figures the open issues ask for, in one prepared run on the device machine (an H200
# lent through the `device` tool, 15 minutes in all). From this machine, after `npm ci`, the
# build and ../shared/device/pack.sh:
#   device run, carry [".gpu"], timeout 540:  bash .gpu/gpu-run.sh bash scripts/gpu-session.sh
# Each step has its own time limit and writes into $OUT, so a step that fails or hangs costs only
# its own figures. Nothing here is a test: the figures go into docs/performance.md by hand.
set -uo pipefail
out=${OUT:-/tmp/gpu-out}
mkdir -p "$out"
step() { # name, seconds, command…
  local name=$1 secs=$2; shift 2
  echo "== $name ($(date -u +%T))"
  timeout "$secs" "$@" > "$out/$name.out" 2> "$out/$name.err"
  echo "   exit $? ($(date -u +%T)); $(tail -c 300 "$out/$name.out" | tr '\n' ' ')"
}
nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || true
step doctor 60 node bin/subnet.mjs doctor
# Issue 13/12: our step beside the PyTorch peer on the GPU (the peer needs torch with CUDA there).
step bench-fc 120 node scripts/bench.mjs --arch fc --json --device cuda
step bench-conv4 150 node scripts/bench.mjs --arch conv4 --json --device cuda
# Issue 14: packed sweeps against sequential and --parallel 2 (target ≥ 10× for FC on a GPU).
step bench-sweep 180 node scripts/bench.mjs --sweep --json
# Whether quiet waits (runtime/gpu-wait.ts) would cost or gain on a GPU, where they are off by default.
step bench-waits 90 node scripts/bench.mjs --waits --json --rounds 3
ls -l "$out"
