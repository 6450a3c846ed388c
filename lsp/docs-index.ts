// Hover and completion documentation, taken from docs/language.md, the language's reference, so
// that the editor says exactly what the reference says. An entry is the table row or bullet that
// starts with the name (with its table's header and its section's title); for names that start
// none, the first paragraph that mentions the name in code.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this module is compiled to dist/lsp/docs-index.js. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface DocEntry {
  section: string;
  markdown: string;
}

export class DocsIndex {
  private readonly entries = new Map<string, DocEntry[]>();
  private readonly paragraphs: DocEntry[] = [];

  constructor(markdown: string) {
    const lines = markdown.split('\n');
    let section = '';
    let inCode = false;
    let para: string[] = [];
    const flush = (): void => {
      if (para.length) this.paragraphs.push({ section, markdown: para.join('\n') });
      para = [];
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.startsWith('```')) {
        flush();
        inCode = !inCode;
        continue;
      }
      if (inCode) continue;
      const h = /^#{2,3}\s+(.*)$/.exec(line);
      if (h) {
        flush();
        section = h[1]!;
        continue;
      }
      if (line.startsWith('|') && lines[i + 1]?.startsWith('|--')) {
        flush();
        const header = line;
        const sep = lines[i + 1]!;
        i += 2;
        for (; i < lines.length && lines[i]!.startsWith('|'); i++) {
          const row = lines[i]!;
          const name = leadingName(row.split('|')[1] ?? '');
          if (name) this.add(name, { section, markdown: `${header}\n${sep}\n${row}` });
        }
        i--;
        continue;
      }
      const bullet = /^- (.*)$/.exec(line);
      if (bullet) {
        flush();
        const body = [line];
        while (i + 1 < lines.length && /^ {2}\S/.test(lines[i + 1]!)) body.push(lines[++i]!);
        const name = leadingName(bullet[1]!);
        if (name) this.add(name, { section, markdown: body.join('\n') });
        this.paragraphs.push({ section, markdown: body.join('\n') });
        continue;
      }
      if (line.trim() === '') flush();
      else para.push(line);
    }
    flush();
  }

  private add(name: string, e: DocEntry): void {
    const list = this.entries.get(name) ?? [];
    list.push(e);
    this.entries.set(name, list);
  }

  /** The entries that start with `name`, else the first paragraph that mentions it. */
  lookup(name: string): DocEntry[] {
    const direct = this.entries.get(name);
    if (direct) return direct;
    const n = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // A paragraph that defines the name (`cosine` (…), `step(every: …)`, `lr` must …) beats one that lists it.
    const defines = new RegExp('`' + n + '(?:\\(|` \\(|`:|` must|` is|` and)');
    const mentions = new RegExp('`' + n + '(?:[`(:]| [=(])');
    const p = this.paragraphs.find((x) => defines.test(x.markdown)) ?? this.paragraphs.find((x) => mentions.test(x.markdown));
    return p ? [p] : [];
  }

  /** Markdown for a hover: each entry under its section's title. */
  render(name: string): string | undefined {
    const found = this.lookup(name);
    if (found.length === 0) return undefined;
    return found.map((e) => `*${e.section}* (docs/language.md)\n\n${e.markdown}`).join('\n\n---\n\n');
  }
}

/** The identifier a table cell or bullet starts with in code: `` `edge_popup(keep: 50%)` `` → edge_popup. */
function leadingName(text: string): string | undefined {
  return /^\s*`([A-Za-z_][A-Za-z0-9_]*)/.exec(text)?.[1];
}

let shared: DocsIndex | undefined;

/** The index of docs/language.md (an empty one when the file is not installed). */
export function languageDocs(): DocsIndex {
  if (!shared) {
    let text = '';
    try {
      text = readFileSync(join(ROOT, 'docs', 'language.md'), 'utf8');
    } catch {
      // Hover then shows signatures without the reference's text.
    }
    shared = new DocsIndex(text);
  }
  return shared;
}
