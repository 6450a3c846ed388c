// `subnet export RUN_DIR --format safetensors|onnx -o FILE`: the run's subnetwork, rebuilt from
// its directory (weights regenerated on the device from the seed, scores from the checkpoint).
// No dataset is needed. The file is written atomically.
import { CheckpointError } from '../checkpoint.js';
import { closeDevice } from '../device.js';
import { onnxModel } from '../export/onnx.js';
import { safetensorsExport, exportMetadata } from '../export/safetensors-export.js';
import { readSubnetwork } from '../export/subnetwork.js';
import { restoreRun } from '../restore.js';
import { writeFileAtomic } from '../results/atomic.js';
import { SUBNET_VERSION } from '../version.js';
import { recordedTiles } from '../autotune.js';
import { planRun } from '../session/compile.js';
import { CliError } from '../session/errors.js';
import { openStoredRun } from './eval-command.js';
import { openDeviceOrExplain } from '../session/resources.js';

export const EXPORT_FORMATS = ['safetensors', 'onnx'] as const;

export interface ExportOptions {
  format: string;
  output: string;
  color: boolean;
}

export async function exportCommand(dir: string, opts: ExportOptions): Promise<number> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) {
    throw new CliError(`error: --format must be ${EXPORT_FORMATS.join(' or ')}, not \`${opts.format}\``);
  }
  const run = openStoredRun(dir);
  const ctx = await openDeviceOrExplain();
  let bytes: Uint8Array;
  try {
    const plan = planRun({ id: run.runId, config: run.config }, ctx.limits, {}, opts.color, recordedTiles(run.dir));
    let ex;
    try {
      ex = await restoreRun(ctx, plan, run);
    } catch (e) {
      if (e instanceof CheckpointError) throw new CliError(`error: ${e.message}`);
      throw e;
    }
    let net;
    try {
      net = await readSubnetwork(ex);
    } catch (e) {
      if (e instanceof Error && /not supported yet/.test(e.message)) throw new CliError(`error: ${e.message}`);
      throw e;
    }
    ex.destroy();
    bytes = opts.format === 'onnx' ? onnxModel(net, exportMetadata(net, run.runId, run.checkpoint), SUBNET_VERSION) : safetensorsExport(net, run.runId, run.checkpoint);
  } finally {
    closeDevice(ctx);
  }
  try {
    writeFileAtomic(opts.output, bytes);
  } catch (e) {
    throw new CliError(`error: ${opts.output}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  process.stderr.write(`wrote ${opts.output} (${opts.format}, ${bytes.length} bytes)\n`);
  return 0;
}
