// `subnet doctor`: which WebGPU adapter this machine gives us, and what to install when none.
import { openDevice, closeDevice, NoAdapterError } from '../device.js';
import { cachePath, tuningEnabled } from '../autotune.js';

const HELP = `No WebGPU adapter was found.

subnet runs on WebGPU through Dawn (npm package "webgpu"), which needs a Vulkan driver. On a
machine without a GPU that is Mesa's lavapipe, version 24 or newer (Debian Bookworm's 22.3 is
rejected by Dawn: "Vulkan shaderUniform*ArrayDynamicIndexing required"). To install it:

  bash scripts/setup.sh        # Debian/Ubuntu: libvulkan1 + mesa-vulkan-drivers (bookworm-backports)

or by hand: add "deb http://deb.debian.org/debian bookworm-backports main" to APT's sources, then
  apt-get install -t bookworm-backports libvulkan1 mesa-vulkan-drivers
On a machine with a GPU, install its Vulkan driver. Dawn also wants XDG_RUNTIME_DIR set to a
writable directory.`;

const USED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'minStorageBufferOffsetAlignment',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension',
];
const USED_FEATURES = ['timestamp-query', 'subgroups', 'shader-f16'];

export async function doctorCommand(opts: { json: boolean }): Promise<number> {
  let ctx;
  try {
    ctx = await openDevice();
  } catch (e) {
    if (!(e instanceof NoAdapterError)) throw e;
    if (opts.json) process.stdout.write(JSON.stringify({ adapter: null, help: HELP }) + '\n');
    else process.stderr.write(HELP + '\n');
    return 2;
  }
  const f = ctx.facts;
  const limits = Object.fromEntries(USED_LIMITS.map((k) => [k, (ctx.device.limits as unknown as Record<string, number>)[k]]));
  const features = USED_FEATURES.map((x) => `${x}: ${f.features.includes(x) ? (x === 'timestamp-query' ? 'yes (used by subnet profile)' : 'yes') : 'no'}`);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ adapter: { vendor: f.vendor, architecture: f.architecture, device: f.device, description: f.description, cpu: f.isCpu }, limits, features: f.features, tile_cache: cachePath() }) + '\n');
  } else {
    const out = [
      `adapter      ${f.description || f.device || '(no description)'}`,
      `vendor       ${f.vendor || '-'}`,
      `architecture ${f.architecture || '-'}`,
      `kind         ${f.isCpu ? 'CPU (software Vulkan: expect about 1-10 GFLOP/s)' : 'GPU'}`,
      `XDG_RUNTIME_DIR ${process.env.XDG_RUNTIME_DIR ?? '(unset)'}`,
      `tile cache   ${cachePath()}${tuningEnabled() ? '' : ' (autotuning off: SUBNET_AUTOTUNE=0)'}`,
      'limits used:',
      ...Object.entries(limits).map(([k, v]) => `  ${k.padEnd(36)} ${v}`),
      'features:',
      ...features.map((x) => `  ${x}`),
    ];
    process.stdout.write(out.join('\n') + '\n');
  }
  closeDevice(ctx);
  return 0;
}
