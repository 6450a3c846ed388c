// In-memory programs for tests: files by path, with `std/...` served from the repository.
import { compileProgram, type CompileOptions, type CompileResult, type SourceHost } from '../../compiler/frontend/frontend.js';
import { nodeHost, resolveImportPath } from '../../runtime/session/host.js';

export function virtualHost(files: Record<string, string>, env: Record<string, string> = {}): SourceHost {
  const disk = nodeHost(env);
  return {
    readFile: (p) => (p in files ? files[p] : p.includes('/std/') ? disk.readFile(p) : undefined),
    resolveImport: (from, spec) => resolveImportPath(from, spec),
    env,
  };
}

/** Compiles `src` as /v/main.subnet; `files` adds other files (by absolute path). */
export function compileText(src: string, opts: CompileOptions = {}, env: Record<string, string> = {}, files: Record<string, string> = {}): CompileResult {
  return compileProgram('/v/main.subnet', virtualHost({ ...files, '/v/main.subnet': src }, env), opts);
}

/** An experiment around the given fields (defaults for whatever is not given). */
export function experiment(fields: Record<string, string>, extra = ''): string {
  const all: Record<string, string> = {
    model: 'FC()',
    data: 'mnist(dir: "/data")',
    mask: 'edge_popup(keep: 50%)',
    optimizer: 'sgd(lr: 0.1)',
    train: '{ epochs: 1, batch: 64 }',
    ...fields,
  };
  const body = Object.entries(all)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `  ${k} = ${v}`)
    .join('\n');
  return `import "std/frankle.subnet"\nimport "std/resnet.subnet"\n${extra}\nexperiment e {\n${body}\n}\n`;
}

export function messages(r: CompileResult): string[] {
  return r.diagnostics.map((d) => `${d.code} ${d.message}`);
}
