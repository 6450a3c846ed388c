// One device per test process, opened lazily and closed at exit.
import { closeDevice, openDevice, type GpuContext } from '../../runtime/device.js';

let ctx: Promise<GpuContext> | undefined;

export function gpu(): Promise<GpuContext> {
  if (!ctx) {
    ctx = openDevice();
    process.once('beforeExit', () => {
      void ctx?.then(closeDevice);
    });
  }
  return ctx;
}
