// Waiting on Dawn without spinning. Dawn's Node binding settles its promises (mapAsync,
// onSubmittedWorkDone, createComputePipelineAsync, …) by polling: while any is pending it calls
// wgpuInstanceProcessEvents from setImmediate, turn after turn of the event loop (AsyncRunner,
// "we probably want to reduce the frequency", crbug.com/dawn/1127). That is a busy loop on the
// main thread for as long as the device works. On a CPU adapter it takes a core from the
// driver's workers: on 2 cores, lavapipe's two compute threads got ~46% each while the main
// thread sat at 100% (top -H during FC training); with the waits below FC trains 1.93× faster
// (docs/performance.md, "Quiet waits").
//
// While any wait of ours is pending, one sleeper rides the event loop beside Dawn's poll and
// blocks each turn for a short slice in Atomics.wait, which sleeps in the kernel: Dawn still polls
// every turn, but a turn now costs a slice of sleep instead of a few microseconds of spinning.
// Browsers settle WebGPU promises without polling (and forbid Atomics.wait on the main thread),
// so there this is a pass-through.

/**
 * Sleep per event-loop turn: an eighth of the time waited so far, within [0.05, 0.5] ms. A wait
 * then ends at most 12.5% (and 0.5 ms) after the device is done, and a long one wakes the main
 * thread ~2,000 times a second instead of ~5,000 (a fixed 0.2 ms kept it 12% busy).
 */
const MIN_SLICE_MS = 0.05;
const MAX_SLICE_MS = 0.5;

const cell = typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
const canSleep = cell !== undefined && typeof setImmediate === 'function' && typeof process !== 'undefined' && !!process.versions?.node;
/** SUBNET_DAWN_POLL=spin|quiet overrides the choice by adapter. */
const forced = typeof process !== 'undefined' ? process.env?.SUBNET_DAWN_POLL : undefined;
let enabled = canSleep && forced !== 'spin';
let pending = 0;
/** When the current stretch of waiting began (pending went from 0 to 1). */
let since = 0;
let running = false;

function turn(): void {
  if (pending === 0 || !enabled) {
    running = false;
    return;
  }
  const waited = performance.now() - since;
  Atomics.wait(cell!, 0, 0, Math.min(MAX_SLICE_MS, Math.max(MIN_SLICE_MS, waited / 8)));
  setImmediate(turn);
}

/** Awaits a Dawn promise without letting Dawn's poll spin a core (see the file comment). */
export function quietly<T>(p: Promise<T>): Promise<T> {
  if (!enabled) return p;
  if (pending++ === 0) since = performance.now();
  if (!running) {
    running = true;
    setImmediate(turn);
  }
  return p.finally(() => {
    pending--;
  });
}

/**
 * Chooses by adapter, once a device is open: quiet on CPU adapters, where the spinning core is the
 * driver's; Dawn's poll on GPUs, where the host has cores to spare and a wait of a few
 * microseconds should not round up to a sleep slice. SUBNET_DAWN_POLL=spin|quiet overrides.
 */
export function useQuietWaitsFor(cpuAdapter: boolean): void {
  enabled = canSleep && (forced === 'quiet' || (forced !== 'spin' && cpuAdapter));
}

/** Turns the quiet waits off (Dawn's own spinning poll) or back on: for benches that compare them. */
export function setQuietWaits(on: boolean): void {
  enabled = on && canSleep;
}

export function quietWaits(): boolean {
  return enabled;
}
