// report.html: one self-contained file (no scripts or styles from elsewhere; readable with
// JavaScript off). It holds the results table, the figures as inline SVG, failed and unfinished
// runs, and per run its summary, epochs, resolved configuration and links to its directory and
// TensorBoard event files. The figures' Vega-Lite specs and the run summaries are embedded as
// JSON so they can be re-plotted.
import type { Group } from './aggregate.js';
import type { Figure } from './figures.js';
import type { RunSet } from './records.js';
import type { VegaLiteSpec } from './spec.js';
import type { Table } from './tables.js';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON that is safe inside <script>: no `</script>` or `<!--` can close or confuse it. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * Vega names clip paths and gradients `clip1`, `clip2`, … in every SVG; inline in one page the
 * ids would collide and one figure would clip another's marks. Prefix them per figure.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]);
  let out = svg;
  for (const id of ids) {
    const e = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out
      .replace(new RegExp(`(\\sid=")${e}(")`, 'g'), `$1${prefix}-${id}$2`)
      .replace(new RegExp(`url\\(#${e}\\)`, 'g'), `url(#${prefix}-${id})`)
      .replace(new RegExp(`(href=")#${e}(")`, 'g'), `$1#${prefix}-${id}$2`);
  }
  return out;
}

function htmlTable(t: Table): string {
  const head = t.header.map((h, i) => `<th${t.numeric[i] ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  const rows = t.rows.map((r) => `<tr>${r.map((c, i) => `<td${t.numeric[i] ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table class="sortable"><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

const axesText = (axes: Record<string, string>) => Object.entries(axes).map(([k, v]) => `${k}=${v}`).join(' ') || '(no swept axes)';
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : '–');

function link(href: string | undefined, text: string): string {
  if (!href) return esc(text);
  const target = href.split('/').map(encodeURIComponent).join('/');
  return `<a href="${esc(target)}">${esc(text)}</a>`;
}

function runSection(set: RunSet): string {
  const out: string[] = [];
  const runs = [...set.complete].sort((a, b) => a.summary.experiment.localeCompare(b.summary.experiment) || a.summary.run_id.localeCompare(b.summary.run_id));
  for (const r of runs) {
    const s = r.summary;
    const metrics = r.metrics.length
      ? `<table><thead><tr><th class="num">epoch</th><th class="num">lr</th><th class="num">train loss</th><th class="num">train acc</th><th class="num">test loss</th><th class="num">test acc</th></tr></thead><tbody>${r.metrics
          .map((m) => `<tr><td class="num">${m.epoch}</td><td class="num">${m.lr.toPrecision(3)}</td><td class="num">${m.train_loss.toFixed(4)}</td><td class="num">${pct(m.train_accuracy)}</td><td class="num">${m.test_loss.toFixed(4)}</td><td class="num">${pct(m.test_accuracy)}</td></tr>`)
          .join('')}</tbody></table>`
      : '<p>No per-epoch metrics stored.</p>';
    const tb = r.tensorboard.length
      ? `TensorBoard: ${r.tensorboard.map((f) => link(f, f.slice(f.lastIndexOf('/') + 1))).join(', ')}`
      : 'TensorBoard: no event files in this run directory';
    out.push(`<details id="run-${esc(s.run_id)}"><summary><code>${esc(s.run_id)}</code> ${esc(s.experiment)} · ${esc(axesText(s.axes))} · final ${pct(s.final_test_accuracy)} (best ${pct(s.best_test_accuracy)} at epoch ${s.best_epoch})</summary>
<p>Directory: ${link(r.dir, r.dir ?? s.out_dir)} · ${tb}</p>
<p>${s.epochs} epochs, ${s.params.toLocaleString('en-US')} weights, ${s.kept_params.toLocaleString('en-US')} kept, ${Math.round(s.train_images_per_second)} images/s on ${esc(s.adapter)}, finished ${esc(s.finished_at)}</p>
${metrics}
<details><summary>Resolved configuration</summary><pre>${esc(JSON.stringify(r.config, null, 2))}</pre></details>
</details>`);
  }
  return out.join('\n');
}

// Sorting by a click on a column heading; the page reads the same without it.
const SORT_SCRIPT = `document.querySelectorAll('table.sortable th').forEach((th, i) => th.addEventListener('click', () => {
  const body = th.closest('table').tBodies[0]; const dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
  const key = (tr) => { const t = tr.cells[i].textContent; const n = parseFloat(t.replace(/[%,]/g, '')); return isNaN(n) ? t : n; };
  [...body.rows].sort((a, b) => { const x = key(a), y = key(b); return (x > y ? 1 : x < y ? -1 : 0) * dir; }).forEach((r) => body.appendChild(r));
}));`;

export interface HtmlInput {
  set: RunSet;
  groups: Group[];
  table: Table;
  figures: { figure: Figure; spec: VegaLiteSpec; svg: string; file: string }[];
  generatedAt: string;
}

export function reportHtml(h: HtmlInput): string {
  const { set } = h;
  const figs = h.figures
    .map(
      ({ figure, svg, file }) =>
        `<figure id="fig-${esc(figure.id)}">${scopeSvgIds(svg, `fig-${figure.id}`)}<figcaption>${esc(figure.title)} · <a href="${esc(file)}">${esc(file)}</a></figcaption></figure>`,
    )
    .join('\n');
  const failed = set.failed.length
    ? `<h2>Failed runs (${set.failed.length})</h2><table><thead><tr><th>run</th><th>experiment</th><th>axes</th><th>error</th></tr></thead><tbody>${set.failed
        .map((f) => `<tr><td>${link(f.dir, f.run_id)}</td><td>${esc(f.experiment)}</td><td>${esc(axesText(f.axes))}</td><td><pre>${esc(f.error)}</pre></td></tr>`)
        .join('')}</tbody></table>`
    : '';
  const incomplete = set.incomplete.length
    ? `<h2>Unfinished runs (${set.incomplete.length})</h2><p>Started but without a summary: running, interrupted, or lost with a worker. <code>subnet sweep</code> resumes them.</p><ul>${set.incomplete
        .map((r) => `<li>${link(r.dir, r.run_id)} ${esc(r.experiment)} · ${esc(axesText(r.axes))}</li>`)
        .join('')}</ul>`
    : '';
  const warnings = set.warnings.length ? `<h2>Warnings</h2><ul>${set.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>subnet report: ${esc(set.source)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px/1.45 "DejaVu Sans", system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; cursor: pointer; } .num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0 2em; } figure svg { max-width: 100%; height: auto; } figcaption { color: #555; font-size: 12px; }
details { margin: 0.3em 0; } details > details { margin-left: 1.5em; } pre { background: #f8f8f8; padding: 0.6em; overflow-x: auto; font-size: 12px; }
code { font-size: 12px; }
</style></head>
<body>
<h1>subnet report</h1>
<p>Runs from <code>${esc(set.source)}</code>: ${set.complete.length} complete in ${h.groups.length} configurations (mean ± std over seeds), ${set.failed.length} failed, ${set.incomplete.length} unfinished. Generated ${esc(h.generatedAt)}. TensorBoard: <code>tensorboard --logdir ${esc(set.source)}</code>.</p>
<h2>Results</h2>
${htmlTable(h.table)}
<h2>Figures</h2>
${figs || '<p>No figure: no masked runs with a swept axis.</p>'}
${failed}
${incomplete}
${warnings}
<h2>Runs (${set.complete.length})</h2>
${runSection(set)}
<script type="application/json" id="vega-lite-specs">${scriptJson(Object.fromEntries(h.figures.map((f) => [f.figure.id, f.spec])))}</script>
<script type="application/json" id="summaries">${scriptJson(set.complete.map((r) => r.summary))}</script>
<script>${SORT_SCRIPT}</script>
</body></html>
`;
}
