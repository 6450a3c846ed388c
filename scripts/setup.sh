#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to run subnet on WebGPU, then the npm
# packages and the build. Idempotent: every step checks before it acts, and a machine whose
# WebGPU adapter already works keeps its drivers untouched.
#
#   - a Vulkan driver Dawn accepts: on a GPU-less machine, Mesa's lavapipe. Dawn rejects
#     Bookworm's Mesa 22.3 ("Vulkan shaderUniform*ArrayDynamicIndexing required"), so on
#     Bookworm it comes from bookworm-backports (Mesa 25.x);
#   - the Fashion-MNIST IDX files (Debian package dataset-fashion-mnist);
#   - redis-server, for the distributed sweep queue and its tests;
#   - Chromium (Debian's chromium package), for the web target's browser test (test/web/);
#   - libturbojpeg0-dev, for the native JPEG addon (runtime/data/native, built by scripts/build-native.sh);
#   - npm packages (npm ci) and the TypeScript build.
#
# Source it or run it; XDG_RUNTIME_DIR is set when unset (Dawn wants one).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

say() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  say "need root for: $*"; return 1; fi; }

if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
  export XDG_RUNTIME_DIR="${TMPDIR:-/tmp}/subnet-xdg-$(id -u)"
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
fi

have_pkg() { dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null | grep -q '^install ok installed'; }
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

# Is there already a WebGPU adapter? (Only answerable once node_modules exist.)
adapter_ok() {
  [ -d node_modules/webgpu ] || return 1
  node --input-type=module -e "
    import { create, globals } from 'webgpu'; Object.assign(globalThis, globals);
    const a = await create([]).requestAdapter(); process.exit(a ? 0 : 1);" >/dev/null 2>&1
}

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci (first, so the adapter check below can run)"
  npm ci --no-audit --no-fund --loglevel=error
fi

apt_updated=0
apt_update() { [ "$apt_updated" = 1 ] || { sudo_ apt-get update -qq; apt_updated=1; }; }
apt_install() { DEBIAN_FRONTEND=noninteractive sudo_ apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }

if ! command -v apt-get >/dev/null; then
  say "not a Debian/Ubuntu system: install a Vulkan driver (Mesa >= 24 lavapipe, or your GPU's) and the Fashion-MNIST IDX files yourself"
else
  . /etc/os-release
  if adapter_ok; then
    say "a WebGPU adapter already works; drivers left as they are"
  else
    mesa=$(pkg_version mesa-vulkan-drivers)
    need_mesa=1
    if [ -n "$mesa" ] && dpkg --compare-versions "$mesa" ge 24; then need_mesa=0; fi
    if [ "$need_mesa" = 1 ]; then
      if [ "${VERSION_CODENAME:-}" = bookworm ]; then
        list=/etc/apt/sources.list.d/bookworm-backports.list
        if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
          say "adding bookworm-backports (Mesa 25.x lavapipe; Bookworm's 22.3 is rejected by Dawn)"
          echo 'deb http://deb.debian.org/debian bookworm-backports main' | sudo_ tee "$list" >/dev/null
          apt_updated=0
        fi
        apt_update
        say "installing libvulkan1 and mesa-vulkan-drivers from bookworm-backports"
        apt_install -t bookworm-backports libvulkan1 mesa-vulkan-drivers
      else
        apt_update
        say "installing libvulkan1 and mesa-vulkan-drivers"
        apt_install libvulkan1 mesa-vulkan-drivers
      fi
    else
      say "mesa-vulkan-drivers $mesa already installed"
    fi
  fi
  if [ ! -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && ! have_pkg dataset-fashion-mnist; then
    apt_update
    say "installing dataset-fashion-mnist"
    apt_install dataset-fashion-mnist
  fi
  # redis-server: the distributed sweep queue (BullMQ) and its tests.
  if ! command -v redis-server >/dev/null; then
    apt_update
    say "installing redis-server"
    apt_install redis-server
  fi
  # libturbojpeg: the native JPEG path of image folders (runtime/data/native; optional, the portable
  # WebAssembly path gives the same bytes, slower; docs/data.md).
  if ! have_pkg libturbojpeg0-dev; then
    apt_update
    say "installing libturbojpeg0-dev (native JPEG decoding)"
    apt_install libturbojpeg0-dev || say "libturbojpeg0-dev not installed: image folders take the portable decoder"
  fi
  # chromium: test/web/ trains the web target's page in headless Chromium (docs/web.md).
  if [ -z "${SUBNET_CHROMIUM:-}" ] && ! command -v chromium >/dev/null && ! have_pkg chromium; then
    apt_update
    say "installing chromium (the web target's browser test)"
    apt_install chromium
  fi
fi

say "building"
npx tsc -p tsconfig.json
bash scripts/build-native.sh || say "the native JPEG addon did not build: image folders take the portable decoder"
say "ready (XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR)"
