// What every command that trains or evaluates needs before it starts: each distinct dataset
// loaded once (a data problem named before any GPU work), and a WebGPU device, or a message
// saying what to install. Shared by the CLI's commands, sweeps and queue workers.
import { loadDataset, DataError, type Dataset } from '../data/dataset.js';
import { openDevice, NoAdapterError, type GpuContext } from '../device.js';
import { CliError } from './errors.js';

/** Loads each distinct dataset once; a data problem is a CliError naming the file. */
export function datasetLoader(): (cfg: { data: Parameters<typeof loadDataset>[0] }) => Dataset {
  const cache = new Map<string, Dataset>();
  return (cfg) => {
    const key = JSON.stringify(cfg.data);
    let ds = cache.get(key);
    if (!ds) {
      try {
        ds = loadDataset(cfg.data);
      } catch (e) {
        if (e instanceof DataError) throw new CliError(`error: ${e.message}`);
        throw e;
      }
      cache.set(key, ds);
    }
    return ds;
  };
}

export async function openDeviceOrExplain(
  explain = 'error: no WebGPU adapter; run `subnet doctor` to see what to install',
): Promise<GpuContext> {
  try {
    return await openDevice();
  } catch (e) {
    if (e instanceof NoAdapterError) throw new CliError(explain, 2);
    throw e;
  }
}
