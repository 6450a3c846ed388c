// Headless Chromium with WebGPU for the browser tests. Chromium's WebGPU refuses CPU adapters
// other than its own SwiftShader (its adapter blocklist names llvmpipe), so on a machine without
// a GPU the page runs on SwiftShader's Vulkan: --use-webgpu-adapter=swiftshader. docs/web.md
// says what was tried.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const WEBGPU_FLAGS = ['--headless=new', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--ignore-gpu-blocklist'];

export function chromiumPath(): string | undefined {
  const candidates = [process.env.SUBNET_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

export function launchWebGpuChromium(executablePath: string): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's sandbox will not start.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', ...WEBGPU_FLAGS] });
}
