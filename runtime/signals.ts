// Stopping a run cleanly on SIGINT/SIGTERM, shared by `subnet run` and standalone runners.

/**
 * An AbortSignal raised by the first SIGINT/SIGTERM. A terminal's Ctrl-C reaches both the
 * launcher and this process, and the launcher forwards it again: a repeat within a second is
 * that echo; a later one means "quit now", without a checkpoint.
 */
export function stopOnSignals(): { signal: AbortSignal; which: () => NodeJS.Signals | undefined; dispose: () => void } {
  const ctl = new AbortController();
  let got: NodeJS.Signals | undefined;
  let at = 0;
  const handler = (sig: NodeJS.Signals) => {
    if (!got) {
      got = sig;
      at = Date.now();
      ctl.abort();
      process.stderr.write(`\n${sig}: stopping at the next step to write a checkpoint (send it again to quit at once)\n`);
    } else if (Date.now() - at > 1000) process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ctl.signal,
    which: () => got,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

