// Runs the real `subnet` command in a child process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');

export function subnet(args: string[], env: Record<string, string> = {}, timeoutMs = 15 * 60 * 1000) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'subnet.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
