// Injected into the browser bundle (esbuild `inject`): the two Node globals the runtime touches.
// `process`: temporary file names use process.pid; the signal handlers of a run (SIGINT/SIGTERM)
// register on it and never fire in a page. `Buffer.from(string)`: UTF-8 bytes for file writes.
const noop = () => {};
export const process = {
  pid: 1,
  env: {} as Record<string, string | undefined>,
  platform: 'browser',
  argv: [] as string[],
  on: noop,
  off: noop,
  once: noop,
  cwd: () => '/',
  stderr: { write: (s: string) => (console.warn(s), true), isTTY: false },
  stdout: { write: (s: string) => (console.log(s), true), isTTY: false },
  exit: (code?: number) => {
    throw new Error(`exit ${code}`);
  },
};
export const Buffer = {
  from(data: string | Uint8Array): Uint8Array {
    return typeof data === 'string' ? new TextEncoder().encode(data) : Uint8Array.from(data);
  },
  isBuffer: (_x: unknown) => false,
};
