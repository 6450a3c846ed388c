// `node:os` in the browser bundle: the host name goes into TensorBoard event file names.
export const hostname = () => 'browser';
export const tmpdir = () => '/tmp';
export const cpus = () => [];
export const availableParallelism = () => 1;
export default { hostname, tmpdir, cpus, availableParallelism };
