#!/usr/bin/env node
// The `subnet` command: the compiled CLI in dist/ (run `npm run build` first).
//
// Dawn writes driver chatter straight to file descriptor 2 from native code (two "Warning:
// max…PerPipelineLayout artificially reduced" lines on every device, and Vulkan loader lines with
// a C++ source location when no driver is found). JavaScript cannot intercept those writes, so
// this launcher runs the CLI as a child with stderr piped and drops exactly those lines; all else
// passes through unchanged (stdout is not touched). The child is told whether the real stderr is
// a terminal, for colours and the progress bar.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

if (!process.env.XDG_RUNTIME_DIR) {
  // Dawn (through Vulkan) wants a runtime directory; give it a private one.
  const dir = join(tmpdir(), `subnet-xdg-${process.getuid?.() ?? 'user'}`);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  process.env.XDG_RUNTIME_DIR = dir;
}

const NOISE = [
  /^Warning: max\w+ artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.$/,
  /^Warning: (loader_get_json|vkCreateInstance|vkEnumeratePhysicalDevices)\b/,
  /^\s+at \w+ \(.*third_party\/dawn\/.*\)$/,
];

// `subnet lsp`: editors start it for every session and it never opens a GPU device, so it needs
// neither the stderr filter's child process nor the other commands' modules (half its start-up).
const lsp = process.argv[2] === 'lsp' && !process.argv.some((a) => a === '--help' || a === '-h');

if (lsp) {
  let server;
  try {
    server = await import(new URL('../dist/lsp/server.js', import.meta.url).href);
  } catch (e) {
    process.stderr.write(`subnet: the build is missing (${e.message}); run \`npm run build\`\n`);
    process.exit(70);
  }
  server.startServer();
} else if (process.env.SUBNET_CHILD !== '1') {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'pipe'],
    env: {
      ...process.env,
      SUBNET_CHILD: '1',
      SUBNET_STDERR_TTY: process.stderr.isTTY ? '1' : '0',
      SUBNET_COLUMNS: String(process.stderr.columns ?? 80),
      // The image decode workers (runtime/data/decode-pool.ts) run libvips on libuv's thread
      // pool, shared by the whole process: one thread per core, or N workers decode 4 at a time.
      UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? String(Math.max(4, availableParallelism())),
    },
  });
  let pending = '';
  const flushLine = (line) => {
    if (!NOISE.some((re) => re.test(line))) process.stderr.write(line + '\n');
  };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      flushLine(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
    // Progress bars redraw in place without newlines: pass those through at once.
    if (pending && /[\r\x1b]/.test(pending)) {
      process.stderr.write(pending);
      pending = '';
    }
  });
  // A terminal's Ctrl-C goes to the whole foreground process group, the child included: forward
  // SIGINT only when it did not come from a terminal (`kill -INT`), so the child sees it once.
  const fromTerminal = () => !!(process.stdin.isTTY || process.stderr.isTTY);
  process.on('SIGINT', () => {
    if (!fromTerminal()) child.kill('SIGINT');
  });
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('close', (code, signal) => {
    if (pending) flushLine(pending);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  const entry = new URL('../dist/runtime/cli/main.js', import.meta.url);
  let mod;
  try {
    mod = await import(entry.href);
  } catch (e) {
    process.stderr.write(`subnet: the build is missing (${e.message}); run \`npm run build\`\n`);
    process.exit(70);
  }
  await mod.main(process.argv);
  // A referenced GPU object keeps the event loop alive; the commands close their devices, and
  // this makes sure a leftover handle cannot hang the process.
  process.exit(process.exitCode ?? 0);
}
