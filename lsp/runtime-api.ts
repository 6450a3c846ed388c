// The language server's one door into runtime/: how imports resolve and where std/ is, shared
// with the CLI's SourceHost so that the editor resolves `import "std/…"` exactly as `subnet check`.
export { resolveImportPath, STD_DIR } from '../runtime/session/host.js';
