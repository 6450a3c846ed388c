// `subnet compile FILE --target web -o DIR`: a static folder that trains the program's runs in a
// browser on navigator.gpu. index.html and one ES module, subnet.js: the runtime's page
// (dist/runtime/web/page.js, which runs the same runPlans/executeRun, executor and training loop
// as `subnet run`), vega and vega-lite for the curves, and the plans as JSON. Node's modules are
// replaced at bundle time by the browser's host (dist/runtime/web/node/): fs on an in-memory
// volume mirrored to OPFS, path, os, crypto (SHA-256 in TypeScript); the rest throw if reached.
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { writeFileAtomic } from '../results/atomic.js';
import type { RunnerPayload } from '../runner/main.js';
import { SUBNET_VERSION } from '../version.js';
import { CliError } from '../session/errors.js';

/** dist/runtime/web: the page and the browser's stand-ins for Node's modules. */
const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'web');

/** Node built-ins with a browser stand-in; every other built-in (and webgpu, sharp) gets node/unavailable.js. */
const SHIMS: Record<string, string> = { fs: 'fs.js', path: 'path.js', os: 'os.js', crypto: 'crypto.js' };
// cli-progress draws a terminal's progress bar (only with a progress stream, which the page never gives).
const NODE_ONLY_PACKAGES = ['webgpu', 'sharp', 'cli-progress'];

function browserHost(): Plugin {
  const builtins = new Set(builtinModules);
  return {
    name: 'subnet-browser-host',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.startsWith('node:') ? args.path.slice(5) : args.path;
        const root = bare.split('/')[0];
        if (builtins.has(bare) || builtins.has(root) || args.path.startsWith('node:')) return { path: join(WEB_DIR, 'node', SHIMS[bare] ?? 'unavailable.js') };
        if (NODE_ONLY_PACKAGES.includes(root)) return { path: join(WEB_DIR, 'node', 'unavailable.js') };
        return undefined;
      });
    },
  };
}

/** esbuild, or a clear error when the install lacks it (both bundlers use it). */
export async function loadEsbuild(): Promise<typeof import('esbuild')> {
  try {
    return await import('esbuild');
  } catch {
    throw new CliError('error: `subnet compile` needs the esbuild package (a dependency of subnet); run `npm ci`');
  }
}

export async function bundleWeb(payload: RunnerPayload): Promise<Uint8Array> {
  const esbuild = await loadEsbuild();
  const result = await esbuild.build({
    stdin: {
      contents: `import { startPage } from './page.js';\nstartPage(${JSON.stringify(payload)});\n`,
      resolveDir: WEB_DIR,
      sourcefile: 'page-entry.js',
      loader: 'js',
    },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome113',
    inject: [join(WEB_DIR, 'node', 'globals.js')],
    plugins: [browserHost()],
    write: false,
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    banner: { js: `// subnet ${SUBNET_VERSION} web page: ${payload.runs.length} run(s) of ${payload.file}` },
  });
  return result.outputFiles[0].contents;
}

export async function writeWebFolder(dir: string, payload: RunnerPayload): Promise<number> {
  const bytes = await bundleWeb(payload);
  const { pageHtml } = await import('../web/page-html.js');
  try {
    writeFileAtomic(join(dir, 'subnet.js'), bytes);
    writeFileAtomic(join(dir, 'index.html'), pageHtml(payload.file, SUBNET_VERSION));
  } catch (e) {
    throw new CliError(`error: ${dir}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return bytes.length;
}
