#!/usr/bin/env bash
# Builds the native JPEG addon (runtime/data/native: the system's libjpeg-turbo and Pillow's resize in C)
# with node-gyp against the installed Node's headers. Optional: without it, image folders are
# decoded by the portable path (libjpeg-turbo in WebAssembly), which gives the same bytes, slower.
# Needs libturbojpeg0-dev (scripts/setup.sh installs it), a C compiler and make.
set -euo pipefail
cd "$(dirname "$0")/../runtime/data/native"
if [ ! -e /usr/include/turbojpeg.h ] && [ ! -e /usr/local/include/turbojpeg.h ]; then
  echo "build-native: turbojpeg.h not found (apt-get install libturbojpeg0-dev)" >&2
  exit 1
fi
# npm ships node-gyp; its copy is used so that nothing is downloaded.
gyp="$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -e "$gyp" ] || gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
# Node's own headers where the machine has them (npm's nodedir, or Debian's /usr/include/node);
# else node-gyp fetches them for this Node version.
nodedir=$(npm config get nodedir 2>/dev/null || true)
if [ -z "$nodedir" ] || [ "$nodedir" = undefined ] || [ ! -e "$nodedir/include/node/node_api.h" ]; then
  nodedir=$(dirname "$(dirname "$(command -v node)")")
fi
args=()
[ -e "$nodedir/include/node/node_api.h" ] && args=(--nodedir "$nodedir")
node "$gyp" rebuild "${args[@]}" >/dev/null 2>build.err || { cat build.err >&2; exit 1; }
rm -f build.err
node -e "require('./build/Release/subnet_jpeg.node')" && echo "build-native: runtime/data/native/build/Release/subnet_jpeg.node" >&2
