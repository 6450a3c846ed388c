// The editor grammar (editors/subnet.tmLanguage.json) against the real lexer: every example and
// standard-library file is tokenised by vscode-textmate, and every keyword, number, percentage,
// string and comment the lexer finds must carry the matching TextMate scope over all its characters.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import oniguruma from 'vscode-oniguruma';
import vsctm from 'vscode-textmate';
import { lex } from '../../grammar/lexer.js';
import { ROOT } from '../check/fixtures.js';

const require = createRequire(import.meta.url);

async function loadGrammar(): Promise<vsctm.IGrammar> {
  const wasm = readFileSync(join(dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope: string) => {
      if (scope !== 'source.subnet') return null;
      const path = join(ROOT, 'editors', 'subnet.tmLanguage.json');
      return vsctm.parseRawGrammar(readFileSync(path, 'utf8'), path);
    },
  });
  const g = await registry.loadGrammar('source.subnet');
  if (!g) throw new Error('grammar did not load');
  return g;
}

/** The scopes of every character of `text`, by offset. */
function scopesByOffset(grammar: vsctm.IGrammar, text: string): string[][] {
  const out: string[][] = [];
  let stack = vsctm.INITIAL;
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, stack);
    const lineScopes: string[][] = new Array(line.length + 1).fill([]);
    for (const t of r.tokens) for (let i = t.startIndex; i < Math.min(t.endIndex, line.length); i++) lineScopes[i] = t.scopes;
    out.push(...lineScopes); // the newline gets the scopes of the position after the last char
    stack = r.ruleStack;
  }
  return out;
}

function expectedScope(tokenName: string, image: string): string | undefined {
  if (tokenName === 'LineComment' || tokenName === 'BlockComment') return 'comment';
  if (tokenName === 'StringLit') return 'string.quoted.double';
  if (tokenName === 'Percent') return 'constant.numeric.percentage';
  if (tokenName === 'NumberLit') return 'constant.numeric.subnet';
  if (tokenName === 'Kw_true' || tokenName === 'Kw_false') return 'constant.language.boolean';
  if (tokenName.startsWith('Kw_')) return image === 'network' || image === 'experiment' ? 'storage.type' : 'keyword';
  return undefined;
}

function files(): string[] {
  const list = (dir: string): string[] => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.subnet')).map((f) => join(ROOT, dir, f));
  return [...list('examples'), ...list('std')];
}

let grammar: vsctm.IGrammar;

test.before(async () => {
  grammar = await loadGrammar();
});

for (const file of files()) {
  test(`scopes of ${file.slice(ROOT.length + 1)}`, () => {
    const text = readFileSync(file, 'utf8');
    const scopes = scopesByOffset(grammar, text);
    const lexed = lex(text);
    const tokens = [...lexed.tokens, ...lexed.comments];
    let checked = 0;
    const kinds = new Set<string>();
    for (const t of tokens) {
      const want = expectedScope(t.tokenType.name, t.image);
      if (!want) continue;
      kinds.add(want);
      for (let i = t.startOffset; i < t.startOffset + t.image.length; i++) {
        if (text[i] === '\n') continue;
        const got = scopes[i]!;
        assert.ok(got.some((s) => s.startsWith(want)), `${file}: \`${t.image}\` at ${i} has ${got.join(' ')}, expected ${want}`);
      }
      checked++;
    }
    assert.ok(checked > 0);
    // Plain names are never coloured as keywords, numbers or strings.
    for (const t of lexed.tokens.filter((x) => x.tokenType.name === 'Ident')) {
      const got = scopes[t.startOffset]!;
      assert.ok(!got.some((s) => /^(keyword|constant\.numeric|string|comment)/.test(s)), `${t.image} at ${t.startOffset}: ${got.join(' ')}`);
    }
    if (file.includes('examples')) for (const k of ['comment', 'keyword', 'storage.type']) assert.ok(kinds.has(k), `${file} exercises ${k}`);
  });
}

test('a line with every kind of token', () => {
  const src = 'experiment e { mask = edge_popup(keep: 30%, first: dense) seed = 1e-4 data = mnist(dir: "a\\"b") } // end';
  const scopes = scopesByOffset(grammar, src);
  const at = (needle: string): string => scopes[src.indexOf(needle)]!.join(' ');
  assert.match(at('experiment'), 'storage.type.experiment.subnet');
  assert.match(at('e {'), 'entity.name.section.experiment.subnet');
  assert.match(at('edge_popup'), 'support.function.subnet');
  assert.match(at('keep'), 'variable.parameter.subnet');
  assert.match(at('30%'), 'constant.numeric.percentage.subnet');
  assert.match(at('1e-4'), 'constant.numeric.subnet');
  assert.match(at('\\"'), 'constant.character.escape.subnet');
  assert.match(at('// end'), 'comment.line.double-slash.subnet');
  assert.match(at('seed'), 'keyword.other.subnet');
});

test.run();
