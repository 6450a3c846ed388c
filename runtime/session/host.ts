// The Node SourceHost: files from disk, `std/...` imports from the package's own std/ directory,
// other imports relative to the importing file, and the process environment.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceHost } from '../../compiler/index.js';
import { scanImages } from '../data/image-index.js';

/** The repository's std/: this module is compiled to dist/runtime/session/host.js. */
export const STD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'std');

export function resolveImportPath(fromFile: string, spec: string, stdDir = STD_DIR): string {
  if (spec === 'std' || spec.startsWith('std/')) return join(stdDir, spec.slice(4));
  if (isAbsolute(spec)) return spec;
  return join(dirname(fromFile), spec);
}

/** Why a file cannot be read, in words (the compiler puts it in E0106). */
export function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory, not a file';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  return code ?? (e instanceof Error ? e.message : String(e));
}

export function nodeHost(env: Record<string, string | undefined> = process.env, stdDir = STD_DIR): SourceHost {
  return {
    readFile(path: string): string | undefined {
      try {
        return readFileSync(path, 'utf8');
      } catch (e) {
        throw new Error(readFailure(e));
      }
    },
    resolveImport: (fromFile, spec) => resolveImportPath(fromFile, spec, stdDir),
    env,
    scanImages,
  };
}
