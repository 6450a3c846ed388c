#!/usr/bin/env bash
# Prepares the TensorFlow.js peer benchmark (../shared/bench/tfjs_peer, or $1) in .peers/tfjs:
# copy, npm ci, bundle. `npm run bench` then times tfjs-webgpu (same Dawn adapter) and tfjs-wasm
# beside us and the PyTorch peer. Idempotent.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=${1:-$root/../shared/bench/tfjs_peer}
dst=$root/.peers/tfjs
[ -d "$src" ] || { echo "tfjs-peer: no peer sources at $src" >&2; exit 1; }
mkdir -p "$dst"
cp -r "$src"/. "$dst"/
cd "$dst"
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
./build.sh
echo "tfjs peer ready in $dst"
