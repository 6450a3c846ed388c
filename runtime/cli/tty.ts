// Whether the user's stderr is a terminal. The launcher (bin/subnet.mjs) pipes our stderr to
// filter Dawn's native chatter and tells us what the real stream is.
import { Writable } from 'node:stream';

export function stderrIsTTY(): boolean {
  if (process.env.SUBNET_STDERR_TTY !== undefined) return process.env.SUBNET_STDERR_TTY === '1';
  return !!process.stderr.isTTY;
}

/** A stream that forwards to stderr and reports itself as a terminal (for cli-progress). */
export function ttyStderr(): NodeJS.WriteStream {
  const s = new Writable({
    write(chunk, _enc, cb) {
      // Acknowledge at once: waiting for stderr's callback loses the last redraw at exit.
      process.stderr.write(chunk);
      cb();
    },
  }) as unknown as NodeJS.WriteStream & { isTTY: boolean; columns: number };
  s.isTTY = true;
  s.columns = Number(process.env.SUBNET_COLUMNS ?? process.stderr.columns ?? 80);
  (s as unknown as { cursorTo: unknown }).cursorTo = (x: number, _y?: unknown, cb?: () => void) => {
    process.stderr.write(`\x1b[${x + 1}G`);
    cb?.();
    return true;
  };
  (s as unknown as { clearLine: unknown }).clearLine = (_dir: number, cb?: () => void) => {
    process.stderr.write('\x1b[2K');
    cb?.();
    return true;
  };
  (s as unknown as { moveCursor: unknown }).moveCursor = (dx: number, dy: number, cb?: () => void) => {
    if (dy) process.stderr.write(dy < 0 ? `\x1b[${-dy}A` : `\x1b[${dy}B`);
    if (dx) process.stderr.write(dx < 0 ? `\x1b[${-dx}D` : `\x1b[${dx}C`);
    cb?.();
    return true;
  };
  return s;
}
