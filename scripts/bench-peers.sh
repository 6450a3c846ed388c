#!/usr/bin/env bash
# Installs the PyTorch peer's Python side for `npm run bench` on Debian: python3-torch, numpy and
# OpenBLAS. OpenBLAS matters: without it Debian's numpy and torch fall back to the reference
# BLAS (libblas3), ~3 GFLOP/s, and every ratio against them would be meaningless.
set -euo pipefail
pkgs=(python3-torch python3-numpy libopenblas0-pthread)
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
/usr/bin/python3 -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__)'
