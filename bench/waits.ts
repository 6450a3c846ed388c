// How the host waits on the device, in one invocation on one adapter: Dawn's own poll (a
// setImmediate loop that spins the main thread while any promise is pending) against the quiet
// waits of runtime/gpu-wait.ts, through the real training loop (trainEpoch: a sync every 8 steps).
//   npm run bench -- --waits [--rounds 3] [--json]
// Each round trains one epoch of each mode, the order alternating between rounds; medians are
// reported. The results of both modes are the same bits (the waits do not touch the arithmetic).
import { lower } from '../compiler/index.js';
import { loadDataset } from '../runtime/data/dataset.js';
import type { GpuContext } from '../runtime/device.js';
import { quietWaits, setQuietWaits } from '../runtime/gpu-wait.js';
import { prepare, trainEpoch } from '../runtime/train.js';
import { configFor } from './configs.js';
import { median } from './rounds.js';

const CASES = [
  { arch: 'fc', images: 8192 },
  { arch: 'conv4', images: 512 },
];

export interface WaitsRow {
  arch: string;
  images: number;
  images_per_second: { dawn_poll: number; quiet: number };
  quiet_over_dawn_poll: number;
  rounds: { dawn_poll: number[]; quiet: number[] };
}

export async function waitsBench(ctx: GpuContext, o: { json: boolean; header: string; rounds: number }): Promise<WaitsRow[]> {
  const out = (s: string) => process.stdout.write(s + '\n');
  if (!o.json) out(o.header);
  const rows: WaitsRow[] = [];
  const chosen = quietWaits(); // the adapter's choice (runtime/device.ts), restored after
  try {
    for (const c of CASES) {
      const cfg = configFor(c.arch, 128, c.images);
      const plan = lower(cfg, `waits-${c.arch}`, ctx.limits);
      const ds = loadDataset(cfg.data);
      const ex = await prepare(ctx, plan, ds);
      await trainEpoch(ex, ds, 0); // warm: lavapipe compiles on first dispatch
      const rounds = { dawn_poll: [] as number[], quiet: [] as number[] };
      for (let r = 0; r < o.rounds; r++) {
        const order: (keyof typeof rounds)[] = r % 2 === 0 ? ['dawn_poll', 'quiet'] : ['quiet', 'dawn_poll'];
        for (const mode of order) {
          setQuietWaits(mode === 'quiet');
          const rec = await trainEpoch(ex, ds, 0);
          rounds[mode].push(Math.round(rec.train_images_per_second));
        }
      }
      ex.destroy();
      const ips = { dawn_poll: median(rounds.dawn_poll), quiet: median(rounds.quiet) };
      const row: WaitsRow = { arch: c.arch, images: c.images, images_per_second: ips, quiet_over_dawn_poll: +(ips.quiet / ips.dawn_poll).toFixed(2), rounds };
      rows.push(row);
      if (!o.json) {
        out(`\n${c.arch}: one epoch of ${c.images} images, batch 128, training images/s (medians of ${o.rounds} rounds, order alternating)`);
        out(`  Dawn's poll  ${String(ips.dawn_poll).padStart(6)}  (rounds ${rounds.dawn_poll.join(', ')})`);
        out(`  quiet waits  ${String(ips.quiet).padStart(6)}  (rounds ${rounds.quiet.join(', ')})`);
        out(`  quiet / Dawn's poll: ${row.quiet_over_dawn_poll}×`);
      }
    }
  } finally {
    setQuietWaits(chosen);
  }
  if (o.json) out(JSON.stringify({ header: o.header, waits: rows }));
  return rows;
}
