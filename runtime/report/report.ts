// `subnet report`'s work, independent of where the runs came from: aggregate, write results.csv,
// results.md, one SVG (and its Vega-Lite spec) per figure and report.html, each atomically, and
// return the terminal table.
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../results/atomic.js';
import { aggregate, labelCollisions, type Group } from './aggregate.js';
import { figuresFor, type Figure } from './figures.js';
import { reportHtml } from './html.js';
import type { RunSet } from './records.js';
import { renderSvg } from './render.js';
import { figureSpec, type VegaLiteSpec } from './spec.js';
import { renderMarkdown, renderTerminal, resultsCsv, resultsTable } from './tables.js';

export interface ReportResult {
  groups: Group[];
  figures: { figure: Figure; spec: VegaLiteSpec; svg: string; file: string }[];
  terminal: string;
  /** Paths written, relative to the output directory. */
  files: string[];
}

function markdown(set: RunSet, table: string, figures: ReportResult['figures']): string {
  const out = [`# Results: ${set.source}`, '', `${set.complete.length} complete runs, ${set.failed.length} failed, ${set.incomplete.length} unfinished; accuracies are mean ± std over seeds.`, '', table, ''];
  for (const f of figures) out.push(`![${f.figure.title}](${f.file})`, '');
  if (set.failed.length) {
    out.push('## Failed runs', '');
    for (const f of set.failed) out.push(`- \`${f.run_id}\` ${f.experiment} ${Object.entries(f.axes).map(([k, v]) => `${k}=${v}`).join(' ')}: ${f.error.split('\n')[0]}`);
    out.push('');
  }
  return out.join('\n');
}

export async function writeReport(set: RunSet, outDir: string, now = new Date()): Promise<ReportResult> {
  const groups = aggregate(set.complete);
  const table = resultsTable(groups);
  const figures: ReportResult['figures'] = [];
  for (const figure of figuresFor(groups)) {
    const spec = figureSpec(figure);
    figures.push({ figure, spec, svg: await renderSvg(spec), file: `${figure.id}.svg` });
  }
  const files: string[] = [];
  const put = (name: string, data: string) => {
    writeFileAtomic(join(outDir, name), data);
    files.push(name);
  };
  put('results.csv', resultsCsv(groups));
  put('results.md', markdown(set, renderMarkdown(table), figures));
  for (const f of figures) {
    put(f.file, f.svg);
    writeJsonAtomic(join(outDir, `${f.figure.id}.vl.json`), f.spec);
    files.push(`${f.figure.id}.vl.json`);
  }
  put('report.html', reportHtml({ set, groups, table, figures, generatedAt: now.toISOString() }));

  const lines = [renderTerminal(table)];
  for (const c of labelCollisions(groups)) {
    lines.push(`note: ${c.length} configurations of \`${c[0].experiment}\` share the same swept values (runs made with different --set values?); the column \`config\` tells them apart`);
  }
  if (set.failed.length) lines.push('', `${set.failed.length} failed: ${set.failed.map((f) => `${f.run_id} (${f.error.split('\n')[0]})`).join('; ')}`);
  if (set.incomplete.length) lines.push('', `${set.incomplete.length} unfinished: ${set.incomplete.map((r) => r.run_id).join(' ')}`);
  return { groups, figures, terminal: lines.join('\n'), files };
}
