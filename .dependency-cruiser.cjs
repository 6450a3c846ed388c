// The floors of subnet, checked in CI (test/architecture/boundaries.test.ts runs this through
// dependency-cruiser): diagnostics/ → grammar/ → compiler/ → (the Plan) → runtime/ → the edges
// (CLI, runner, bench). An arrow may only point down, and no module may reach itself.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle ties its modules into one: none is testable or movable alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'diagnostics-is-floor-0',
      severity: 'error',
      comment: 'Diagnostics and the message catalog sit below the grammar: they import no other floor.',
      from: { path: '^diagnostics/' },
      to: { path: '^(grammar|compiler|runtime|bench|test|lsp)/' },
    },
    {
      name: 'grammar-below-compiler',
      severity: 'error',
      comment: 'The grammar knows diagnostics and nothing above it.',
      from: { path: '^grammar/' },
      to: { path: '^(compiler|runtime|bench|test|lsp)/' },
    },
    {
      name: 'compiler-below-runtime',
      severity: 'error',
      comment: 'The compiler is pure and knows nothing of the runtime, the edges or the tests.',
      from: { path: '^compiler/' },
      to: { path: '^(runtime|bench|test|lsp)/' },
    },
    {
      name: 'compiler-is-pure',
      severity: 'error',
      comment: 'No file system, processes or WebGPU in the compiler: a host injects sources (shared/design.md §1).',
      from: { path: '^(compiler|grammar|diagnostics)/' },
      to: { dependencyTypes: ['core', 'npm'], path: '^(fs|node:fs|child_process|node:child_process|worker_threads|node:worker_threads|webgpu|path|node:path|os|node:os)$|node_modules/webgpu/' },
    },
    {
      name: 'runtime-reads-the-plan',
      severity: 'error',
      comment:
        'Above the compiler, code reads the compiler through its one entry (compiler/index.ts) and the ' +
        "Plan's types (compiler/plan/); every other compiler module is private to it.",
      from: { path: '^(runtime|bench|lsp)/' },
      to: { path: '^compiler/', pathNot: '^compiler/(index\\.ts|plan/)' },
    },
    {
      name: 'plan-is-a-leaf',
      severity: 'error',
      comment: 'The Plan is plain data: its types import nothing else of the compiler.',
      from: { path: '^compiler/plan/' },
      to: { path: '^compiler/', pathNot: '^compiler/plan/' },
    },
    {
      name: 'cli-is-an-edge',
      severity: 'error',
      comment: 'The CLI sits on top: the runtime below it (train, sweep, queue, runner, …) does not import it.',
      from: { path: '^runtime/', pathNot: '^runtime/cli/' },
      to: { path: '^runtime/cli/' },
    },
    {
      name: 'runtime-is-not-a-test',
      severity: 'error',
      comment: 'Production code never imports tests or benchmarks.',
      from: { path: '^(diagnostics|grammar|compiler|runtime|lsp)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
