// Headless Chromium with WebGPU for the browser tests. Chromium's WebGPU refuses CPU adapters
// other than its own SwiftShader (its adapter blocklist names llvmpipe), so on a machine without
// a GPU the page runs on SwiftShader's Vulkan: --use-webgpu-adapter=swiftshader. docs/web.md
// says what was tried.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
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

/** Serves a compiled web folder (index.html and subnet.js only) on 127.0.0.1. */
export async function serveWebFolder(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const name = req.url === '/' ? 'index.html' : (req.url ?? '').slice(1);
    if (!['index.html', 'subnet.js'].includes(name)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(readFileSync(join(dir, name)));
  }).listen(0, '127.0.0.1');
  await new Promise((ok) => server.once('listening', ok));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}
