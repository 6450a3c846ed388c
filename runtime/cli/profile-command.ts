// `subnet profile FILE`: compile the first run (or --experiment), upload its data, run a few
// training steps and print the time of every kernel, dispatches, bytes bound per step and the
// achieved GFLOP/s per kernel family.
import { closeDevice } from '../device.js';
import { profilePhase, renderProfile, byFamily } from '../profile.js';
import { epochOrder, prepare, writeBatch } from '../train.js';
import { learningRate } from '../../compiler/plan/schedule.js';
import { compileRuns, planRun, type CompileCliOptions } from '../session/compile.js';
import { tunedPlan } from '../autotune.js';
import { datasetLoader, openDeviceOrExplain } from '../session/resources.js';

export async function profileCommand(file: string, opts: CompileCliOptions & { steps: number; json: boolean; eval: boolean }): Promise<number> {
  const { runs, sources } = compileRuns(file, opts);
  const r = runs[0];
  const ds = datasetLoader()(r.run.config);
  const ctx = await openDeviceOrExplain();
  try {
    const plan = await tunedPlan(ctx, (tiles) => planRun(r.run, ctx.limits, sources, opts.color, tiles), { log: (s) => process.stderr.write(`${s}\n`) });
    const ex = await prepare(ctx, plan, ds);
    const cfg = plan.config;
    if (ds.feed) {
      // Streamed images: the first batch of each split stands in for every step's.
      const order = epochOrder(plan, 0, ds.train.n);
      writeBatch(ex, plan.data.trainImages, plan.data.trainLabels, await ds.feed.trainBatch(plan.schedule.seed, 0, order, 0, cfg.train.batch));
      writeBatch(ex, plan.data.testImages, plan.data.testLabels, await ds.feed.testBatch(0, cfg.train.evalBatch));
      await ds.feed.close();
    } else ex.writeBuffer(plan.data.permutation, epochOrder(plan, 0, ds.train.n));
    const phase = opts.eval ? 'evalStep' : 'trainStep';
    const batch = opts.eval ? cfg.train.evalBatch : cfg.train.batch;
    ex.setStep({ step: 0, epoch: 0, batch_start: 0, valid: Math.min(batch, opts.eval ? ds.test.n : ds.train.n), lr: learningRate(plan.schedule.lr, 0) });
    const p = await profilePhase(ex, phase, opts.steps);
    if (opts.json) {
      process.stdout.write(
        JSON.stringify({ run_id: plan.runId, adapter: ctx.facts.description, method: p.method, phase, batch, ms_per_step: p.stepMs, dispatches: p.dispatches, families: byFamily(p) }) + '\n',
      );
    } else {
      process.stdout.write(`run ${plan.runId} (${r.experiment}) on ${ctx.facts.description || ctx.facts.device}, batch ${batch}\n`);
      process.stdout.write(renderProfile(p, batch) + '\n');
    }
    ex.destroy();
  } finally {
    closeDevice(ctx);
  }
  return 0;
}
