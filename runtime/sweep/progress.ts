// What a sweep shows while it runs. On a terminal: a cli-progress MultiBar with a total bar and
// one bar per active run (epoch and step), log lines printed above the bars. Elsewhere (CI, a
// file): one line when a run starts, per epoch, and when it ends.
import cliProgress from 'cli-progress';
import type { Summary } from '../results/rundir.js';

export interface RunLabel {
  id: string;
  experiment: string;
  axes: Record<string, string>;
  epochs: number;
}

export interface RunProgress {
  step(epoch: number, step: number, steps: number): void;
  line(text: string): void;
  done(s: Summary): void;
  failed(error: string): void;
  stopped(): void;
}

export interface SweepProgress {
  start(run: RunLabel): RunProgress;
  log(text: string): void;
  stop(): void;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
export const axesText = (axes: Record<string, string>) => Object.entries(axes).map(([k, v]) => `${k}=${v}`).join(' ');

interface Counts {
  done: number;
  failed: number;
  total: number;
}

export function lineProgress(write: (s: string) => void, total: number, already: number): SweepProgress {
  const c: Counts = { done: already, failed: 0, total };
  const n = () => `[${c.done + c.failed}/${c.total}]`;
  return {
    start(run) {
      write(`${n()} start ${run.id}  ${run.experiment}  ${axesText(run.axes)}`.trimEnd());
      return {
        step() {},
        line: (t) => write(`${run.id}  ${t}`),
        done(s) {
          c.done++;
          write(`${n()} done  ${run.id}  final test ${pct(s.final_test_accuracy)} (best ${pct(s.best_test_accuracy)})`);
        },
        failed(err) {
          c.failed++;
          write(`${n()} FAILED ${run.id}: ${err}`);
        },
        stopped: () => write(`stopped ${run.id} (resumes on the next sweep)`),
      };
    },
    log: write,
    stop() {},
  };
}

/**
 * The terminal stream from ttyStderr(), written through at once: its Writable waits for each
 * write's callback and queues the rest, so the last redraw (and the `done` lines in it) could
 * still sit in that queue when the CLI exits. Writes to stderr are synchronous on Linux pipes
 * and terminals, so nothing is lost by not waiting.
 */
export function writeThrough(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  (stream as unknown as { _write: (c: Buffer, e: string, cb: () => void) => void })._write = (chunk, _enc, cb) => {
    process.stderr.write(chunk);
    cb();
  };
  return stream;
}

export function barProgress(stream: NodeJS.WriteStream, total: number, already: number): SweepProgress {
  // forceRedraw: log lines printed above the bars shift them down a row; a bar whose text did
  // not change would otherwise not be drawn again, and a stale line would stand in its place.
  const multi = new cliProgress.MultiBar(
    { stream, clearOnComplete: false, hideCursor: true, autopadding: true, forceRedraw: true, format: '{label} |{bar}| {info}' },
    cliProgress.Presets.shades_classic,
  );
  const c: Counts = { done: already, failed: 0, total };
  const totalInfo = () => `${c.done + c.failed}/${c.total} runs${c.failed ? `, ${c.failed} failed` : ''}`;
  const totalBar = multi.create(total, already, { label: 'total'.padEnd(12), info: totalInfo() });
  const bumpTotal = () => totalBar.update(c.done + c.failed, { info: totalInfo() });
  return {
    start(run) {
      const bar = multi.create(run.epochs, 0, { label: run.id, info: `epoch 0/${run.epochs}  ${axesText(run.axes)}` });
      return {
        step(epoch, step, steps) {
          bar.update(epoch + step / steps, { info: `epoch ${epoch + 1}/${run.epochs} step ${step}/${steps}  ${axesText(run.axes)}` });
        },
        line: (t) => multi.log(`${run.id}  ${t}\n`),
        done(s) {
          c.done++;
          multi.remove(bar);
          multi.log(`done  ${run.id}  ${axesText(run.axes)}  final test ${pct(s.final_test_accuracy)} (best ${pct(s.best_test_accuracy)})\n`);
          bumpTotal();
        },
        failed(err) {
          c.failed++;
          multi.remove(bar);
          multi.log(`FAILED ${run.id}: ${err}\n`);
          bumpTotal();
        },
        stopped() {
          multi.remove(bar);
          multi.log(`stopped ${run.id} (resumes on the next sweep)\n`);
        },
      };
    },
    log: (t) => multi.log(t + '\n'),
    stop() {
      // Lines logged since the last redraw are only written by a redraw: flush them first.
      if (!multi.isActive) return;
      multi.update();
      multi.stop();
    },
  };
}
