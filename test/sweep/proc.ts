// A `subnet` child process a test can watch line by line, signal, and wait for, every wait
// bounded. With `direct`, the CLI runs in the spawned process itself (no launcher), so that a
// signal such as SIGKILL reaches the process that does the work.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';

export interface Proc {
  child: ChildProcess;
  output(): string;
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  exited(timeoutMs: number): Promise<number | null>;
  kill(sig?: NodeJS.Signals): void;
}

export function startSubnet(args: string[], opts: { env?: Record<string, string>; direct?: boolean } = {}): Proc {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'subnet.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...(opts.direct ? { SUBNET_CHILD: '1' } : {}), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let code: number | null | undefined;
  const exit = new Promise<number | null>((resolve) => child.on('close', (c) => resolve((code = c))));
  return {
    child,
    output: () => out,
    waitFor(re, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(re);
          if (m) {
            done();
            resolve(m);
          } else if (code !== undefined) {
            done();
            reject(new Error(`exited (${code}) before ${re}:\n${out.slice(-3000)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re}:\n${out.slice(-3000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exit.then(check);
        check();
      });
    },
    async exited(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const t = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms:\n${out.slice(-3000)}`)), timeoutMs);
      });
      try {
        return await Promise.race([exit, t]);
      } finally {
        clearTimeout(timer);
      }
    },
    kill(sig = 'SIGTERM') {
      if (code === undefined && child.exitCode === null) child.kill(sig);
    },
  };
}

/** A tiny MLP program on synthetic 4×4 images: `sweeps` are extra lines in the experiment. */
export function tinyProgram(o: { n?: number; epochs?: number; seeds?: number; sweeps?: string[] } = {}): string {
  return `network Tiny(width: float = 1) {
  input [1, 4, 4]
  flatten
  linear(16 * width) relu
  linear(3)
}

experiment tiny {
  model     = Tiny()
  data      = synthetic(shape: [1, 4, 4], classes: 3, n: ${o.n ?? 64}, test_n: 32)
  weights   = signed_kaiming_constant()
  mask      = edge_popup(keep: 50%)
  optimizer = sgd(lr: 0.1, momentum: 0.9)
  train     = { epochs: ${o.epochs ?? 2}, batch: 16 }
  seeds     = ${o.seeds ?? 2}
${(o.sweeps ?? []).map((s) => `  ${s}`).join('\n')}
}
`;
}
