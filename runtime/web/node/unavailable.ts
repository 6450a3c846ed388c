// What the browser bundle gets for Node modules the web target never calls (zlib: the page
// decompresses picked .gz files itself; worker_threads, sharp: imagefolder data; webgpu: the
// page uses navigator.gpu). Reaching one is a bug in the page, said plainly.
function unavailable(): never {
  throw new Error('this part of subnet needs Node.js and is not available in the browser');
}
export const gunzipSync = unavailable;
export const create = unavailable;
export const globals = {};
export const Worker = class {
  constructor() {
    unavailable();
  }
};
export const isMainThread = true;
export const parentPort = null;
export const workerData = undefined;
export const fileURLToPath = (u: string | URL) => String(u).replace(/^file:\/\//, '');
export const pathToFileURL = (p: string) => new URL(`file://${p}`);
export const createRequire = () => unavailable;
export default unavailable;
