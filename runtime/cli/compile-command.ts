// `subnet compile FILE -o runner.mjs`: one self-contained ES module that runs the program's
// experiments anywhere Node 20 and the `webgpu` package are: the runtime (dist/runtime, bundled
// by esbuild, `webgpu` left external) and every run's Plan with its WGSL, embedded as JSON.
// Plans are made for WebGPU's guaranteed limits (offsets aligned to 256 bytes, 128 MiB
// bindings), so the runner works on any adapter; they compute the same as plans made for a
// looser adapter (alignment moves tensors, not arithmetic).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isStreamed } from '../../compiler/index.js';
import { DEFAULT_LIMITS } from '../../compiler/plan/plan.js';
import { writeFileAtomic } from '../results/atomic.js';
import type { RunnerPayload } from '../runner/main.js';
import { SUBNET_VERSION } from '../version.js';
import { compileRuns, planRun, type CompileCliOptions, type CompiledRun } from '../session/compile.js';
import { CliError } from '../session/errors.js';
import { loadEsbuild } from './compile-web.js';
import { tunedPlan, type TileMap } from '../autotune.js';
import { closeDevice, openDevice, type GpuContext } from '../device.js';

/** dist/runtime/runner: the bundle's entry imports the compiled runner from here. */
const RUNNER_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'runner');

export interface CompileOptions extends CompileCliOptions {
  output: string;
  /** node (default): one runner module; web: a folder with index.html that trains in a browser. */
  target?: string;
}

/** dist/runtime/data/decode-worker.js: image-folder runs decode in worker threads. */
const DECODE_WORKER = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'decode-worker.js');

/**
 * The decode worker as one ES module with `sharp` left a bare import, for a runner whose runs
 * read image folders: the runner hands it to its worker threads as a data: URL (decode-pool.ts),
 * so it stays one file. JPEGs need nothing more; sharp, a native package, is loaded beside the
 * runner only for other formats.
 */
async function bundleDecodeWorker(esbuild: Awaited<ReturnType<typeof loadEsbuild>>): Promise<string> {
  // The JPEG decoder's WebAssembly travels inside the worker (the native addon does not: a
  // runner takes the portable path, which gives the same bytes).
  const wasm = readFileSync(createRequire(import.meta.url).resolve('@cwasm/jpeg-turbo/jpeg-turbo.wasm')).toString('base64');
  const banner = { js: `globalThis.__subnetJpegWasm = ${JSON.stringify(wasm)};` };
  const r = await esbuild.build({ entryPoints: [DECODE_WORKER], bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['sharp'], write: false, minify: true, legalComments: 'none', logLevel: 'silent', banner });
  return r.outputFiles[0].text;
}

export async function bundleRunner(payload: RunnerPayload): Promise<Uint8Array> {
  const esbuild = await loadEsbuild();
  const images = payload.runs.some((r) => isStreamed(r.plan.config.data));
  const worker = images ? `\nglobalThis.__subnetDecodeWorker = ${JSON.stringify(await bundleDecodeWorker(esbuild))};` : '';
  const result = await esbuild.build({
    stdin: {
      contents: `import { start } from './main.js';\nstart(${JSON.stringify(payload)});\n`,
      resolveDir: RUNNER_DIR,
      sourcefile: 'runner-entry.js',
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['webgpu'],
    write: false,
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'silent',
    // CommonJS dependencies (cli-progress) call require(); an ES module has to provide it.
    banner: {
      js: `// subnet ${SUBNET_VERSION} standalone runner: ${payload.runs.length} run(s) of ${payload.file}. Needs the "webgpu" package${images ? ' (and "sharp" for images other than JPEG)' : ''}; node runner.mjs --help\nimport { createRequire as __subnetCreateRequire } from 'node:module';\nconst require = __subnetCreateRequire(import.meta.url);${worker}`,
    },
  });
  return result.outputFiles[0].contents;
}

/**
 * Plans for a runner: WebGPU's default limits (offsets aligned to 256 bytes, 128 MiB bindings),
 * so that they validate on any adapter, with this machine's adapter class and tuned tiles when it
 * has an adapter (then the runner computes exactly what `subnet run` computes here).
 */
async function runnerPlans(runs: CompiledRun[], sources: Record<string, string>, color: boolean) {
  let ctx: GpuContext | undefined;
  try {
    ctx = await openDevice();
  } catch {
    ctx = undefined;
  }
  try {
    const limits = { ...DEFAULT_LIMITS, adapterClass: ctx?.limits.adapterClass ?? 'gpu' };
    const out: RunnerPayload['runs'] = [];
    for (const r of runs) {
      const lowerWith = (tiles?: TileMap) => planRun(r.run, limits, sources, color, tiles);
      out.push({ experiment: r.experiment, plan: ctx ? await tunedPlan(ctx, lowerWith) : lowerWith() });
    }
    return out;
  } finally {
    if (ctx) closeDevice(ctx);
  }
}

export async function compileCommand(file: string, opts: CompileOptions): Promise<number> {
  const target = opts.target ?? 'node';
  if (target !== 'node' && target !== 'web') throw new CliError(`error: --target must be node or web, not \`${target}\``);
  const { runs, sources } = compileRuns(file, opts);
  const payload: RunnerPayload = {
    version: SUBNET_VERSION,
    file,
    source: sources[file] ?? '',
    runs: await runnerPlans(runs, sources, opts.color),
  };
  if (target === 'web') {
    const { writeWebFolder } = await import('./compile-web.js');
    const n = await writeWebFolder(opts.output, payload);
    process.stderr.write(`wrote ${opts.output}/index.html and subnet.js (${runs.length} run(s), ${(n / 1024).toFixed(1)} KiB); serve the folder over http (for example \`python3 -m http.server -d ${opts.output}\`) and open it in a browser with WebGPU\n`);
    return 0;
  }
  const bytes = await bundleRunner(payload);
  try {
    writeFileAtomic(opts.output, bytes);
  } catch (e) {
    throw new CliError(`error: ${opts.output}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const kib = (bytes.length / 1024).toFixed(1);
  const images = runs.some((r) => isStreamed(r.run.config.data));
  process.stderr.write(`wrote ${opts.output}: ${runs.length} run(s), ${kib} KiB; run it with \`node ${opts.output} --out runs\` next to a node_modules with webgpu${images ? ' (and sharp, if its image folders hold images other than JPEG)' : ''}\n`);
  return 0;
}
