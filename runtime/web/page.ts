/// <reference lib="dom" />
// The page of `subnet compile FILE --target web`: the program's runs trained on navigator.gpu by
// the same runtime as `subnet run` (runPlans → executeRun → the executor and training loop),
// with the files host an in-memory volume mirrored to the browser's storage (volume.ts,
// opfs.ts). The user gives the dataset files; the page shows the layer table, progress with
// images/s, loss and accuracy curves, and offers the run directory's files and the safetensors
// export as downloads.
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { CheckpointError } from '../checkpoint.js';
import { planSummary } from '../plan-summary.js';
import { loadDataset, DataError, type Dataset } from '../data/dataset.js';
import { contextFor, type GpuContext } from '../device-context.js';
import { safetensorsExport } from '../export/safetensors-export.js';
import { readSubnetwork } from '../export/subnetwork.js';
import { restoreRun } from '../restore.js';
import type { EpochRecord } from '../results/epoch.js';
import { readRunDir } from '../results/stored-run.js';
import type { Plan } from '../../compiler/plan/plan.js';
import { CliError } from '../session/errors.js';
import { runPlans } from '../session/run-plans.js';
import { OpfsMirror } from './opfs.js';
import { volume } from './volume.js';

const OUT = '/runs';

/** What `subnet compile --target web` embeds: the shape of the Node runner's payload. */
export interface WebPayload {
  version: string;
  source: string;
  file: string;
  runs: { experiment: string; plan: Plan }[];
}

/** What the page reports to a driver (the browser test) on `window.subnet`. */
export interface PageState {
  state: 'idle' | 'training' | 'done' | 'error';
  message?: string;
  summaries: Record<string, unknown>[];
  log: string[];
  imagesPerSecond?: number;
  /** Training loss and accuracy within epochs, as the run goes (x: epochs, fractional). */
  running: { run: string; epoch: number; loss: number; accuracy: number }[];
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function el(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

const fmtInt = (n: number) => n.toLocaleString('en-US');

function layerTable(payload: WebPayload): HTMLElement {
  const wrap = el('div');
  for (const r of payload.runs) {
    const s = planSummary(r.plan, r.experiment);
    const axes = Object.entries(s.axes).map(([k, v]) => `${k}=${v}`).join(' ');
    wrap.append(el('h3', {}, `run ${s.run_id}  ${r.experiment}${axes ? `  ${axes}` : ''}  seed ${s.seed}`));
    const t = el('table');
    const head = el('tr');
    for (const h of ['layer', 'kind', 'shape', 'params', 'kept', 'mask', 'MFLOP/ex']) head.append(el('th', {}, h));
    t.append(head);
    const row = (cells: string[]) => {
      const tr = el('tr');
      cells.forEach((c, i) => tr.append(el('td', i >= 3 && i !== 5 ? { class: 'num' } : {}, c)));
      t.append(tr);
    };
    for (const l of s.layers) row([l.name, l.kind, `[${l.in_shape.join(',')}]→[${l.out_shape.join(',')}]`, fmtInt(l.params), fmtInt(l.kept), l.mask, (l.flops_per_example / 1e6).toFixed(3)]);
    row(['total', '', '', fmtInt(s.params), fmtInt(s.kept_params), `${((100 * s.kept_params) / s.params).toFixed(1)}% kept`, (s.flops_per_example / 1e6).toFixed(3)]);
    wrap.append(t);
    wrap.append(el('p', { class: 'note' }, `${s.dispatches_per_train_step} dispatches per training step, ${payload.runs.length} run(s), data: ${r.plan.config.data.kind}`));
  }
  return wrap;
}

/** The IDX/CIFAR names a data kind reads, as the CLI looks for them in its directory. */
function expectedFiles(kind: string): string[] {
  if (kind === 'mnist' || kind === 'fashion_mnist') return ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
  if (kind === 'cifar10') return ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
  if (kind === 'cifar100') return ['train.bin', 'test.bin'];
  return [];
}

async function gunzip(f: File): Promise<Uint8Array> {
  const s = f.stream().pipeThrough(new DecompressionStream('gzip'));
  try {
    return new Uint8Array(await new Response(s).arrayBuffer());
  } catch (e) {
    throw new DataError(f.name, `not a valid gzip file (${(e as Error).message})`);
  }
}

/** Curves of the runs' epochs (vega-lite → vega → SVG, in the page). */
async function drawCurves(target: HTMLElement, records: Record<string, EpochRecord[]>, running: PageState['running']): Promise<void> {
  const values: { run: string; epoch: number; series: string; value: number }[] = [];
  // Within an epoch: the loss and accuracy of its steps so far, at fractional epochs.
  for (const p of running) values.push({ run: p.run, epoch: p.epoch, series: 'train loss (running)', value: p.loss }, { run: p.run, epoch: p.epoch, series: 'train accuracy (running)', value: p.accuracy });
  for (const [run, recs] of Object.entries(records)) {
    for (const r of recs) {
      values.push({ run, epoch: r.epoch, series: 'train loss', value: r.train_loss }, { run, epoch: r.epoch, series: 'test loss', value: r.test_loss });
      values.push({ run, epoch: r.epoch, series: 'train accuracy', value: r.train_accuracy }, { run, epoch: r.epoch, series: 'test accuracy', value: r.test_accuracy });
    }
  }
  const panel = (title: string, series: string[]) => ({
    title,
    width: 260,
    height: 160,
    transform: [{ filter: { field: 'series', oneOf: series } }],
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', scale: { domainMin: 0 }, axis: { format: '~g' } },
      y: { field: 'value', type: 'quantitative', scale: { zero: false } },
      color: { field: 'series', type: 'nominal' },
      strokeDash: { field: 'run', type: 'nominal', legend: Object.keys(records).length > 1 ? {} : null },
    },
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    hconcat: [panel('loss', ['train loss (running)', 'train loss', 'test loss']), panel('accuracy', ['train accuracy (running)', 'train accuracy', 'test accuracy'])],
    resolve: { scale: { color: 'independent' } },
  };
  const view = new vega.View(vega.parse(vl.compile(spec as vl.TopLevelSpec).spec), { renderer: 'none', logLevel: vega.Error });
  target.innerHTML = await view.toSVG();
  view.finalize();
}

function download(name: string, data: Uint8Array, type: string): HTMLAnchorElement {
  const a = el('a', { download: name, class: 'download' }, `${name} (${fmtInt(data.length)} bytes)`) as HTMLAnchorElement;
  a.href = URL.createObjectURL(new Blob([data as Uint8Array<ArrayBuffer>], { type }));
  return a;
}

/** Builds the page and waits for the user's data. */
export async function startPage(payload: WebPayload): Promise<void> {
  const state: PageState = { state: 'idle', summaries: [], log: [], running: [] };
  (window as unknown as { subnet: PageState }).subnet = state;
  document.title = `subnet: ${payload.file}`;
  $('title').textContent = `${payload.file}`;
  $('plan').append(layerTable(payload));
  const logEl = $('log');
  const log = (s: string) => {
    state.log.push(s);
    logEl.textContent += s + '\n';
  };
  const fail = (msg: string) => {
    state.state = 'error';
    state.message = msg;
    $('status').textContent = msg;
    $('status').className = 'error';
    log(msg);
  };

  if (!('gpu' in navigator) || !navigator.gpu) {
    fail('This browser has no WebGPU (navigator.gpu). Use Chrome or Edge 113+ (on Linux: chrome://flags → "Unsafe WebGPU Support" and "Vulkan"), Safari 26+, or Firefox 141+ on Windows.');
    return;
  }
  const kinds = [...new Set(payload.runs.map((r) => r.plan.config.data.kind))];
  const wanted = [...new Set(kinds.flatMap(expectedFiles))];
  const picked = new Map<string, File>();
  const input = $('files') as HTMLInputElement;
  const drop = $('drop');
  const showPicked = () => {
    const missing = wanted.filter((w) => !picked.has(w));
    $('picked').textContent = wanted.length === 0 ? `no files needed (${kinds.join(', ')} data)` : missing.length ? `still needed: ${missing.join(', ')}` : `all ${wanted.length} files picked`;
  };
  const add = (files: FileList | null) => {
    for (const f of files ?? []) picked.set(f.name.replace(/\.gz$/, ''), f);
    showPicked();
  };
  if (wanted.length === 0) $('data').hidden = true;
  input.addEventListener('change', () => add(input.files));
  drop.addEventListener('dragover', (e) => e.preventDefault());
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    add(e.dataTransfer?.files ?? null);
  });
  showPicked();
  // Files can be given while storage is read; Train is enabled once it has been.
  const mirror = await OpfsMirror.open(OUT);
  const stored = mirror ? await mirror.restore(volume) : 0;
  mirror?.follow(volume);
  if (stored) log(`browser storage: ${stored} file(s) of earlier runs; Train resumes from their checkpoints`);
  else if (!mirror) log('browser storage (OPFS) is not available: a reload starts over');
  ($('train') as HTMLButtonElement).disabled = false;
  $('clear').addEventListener('click', async () => {
    await mirror?.clear();
    for (const k of [...volume.files.keys()]) if (k.startsWith(OUT + '/')) volume.files.delete(k);
    log('browser storage cleared: the next Train starts over');
  });

  let ctx: GpuContext | undefined;
  $('train').addEventListener('click', async () => {
    if (state.state === 'training') return;
    state.state = 'training';
    ($('train') as HTMLButtonElement).disabled = true;
    $('status').className = '';
    try {
      // The files go where the program's data directory says, so the CLI's readers and checks apply.
      const datasets = new Map<string, Dataset>();
      for (const r of payload.runs) {
        const d = r.plan.config.data;
        if ('dir' in d && d.dir) {
          for (const name of expectedFiles(d.kind)) {
            const f = picked.get(name);
            if (!f) continue;
            volume.load(`${d.dir}/${name}`, f.name.endsWith('.gz') ? await gunzip(f) : new Uint8Array(await f.arrayBuffer()));
          }
        }
        const key = JSON.stringify(d);
        if (!datasets.has(key)) datasets.set(key, loadDataset(d));
      }
      if (!ctx) {
        // Right after a reload the GPU process may still be releasing the last page's device.
        let adapter: GPUAdapter | null = null;
        for (let i = 0; i < 3 && !adapter; i++) {
          if (i) await new Promise((ok) => setTimeout(ok, 500));
          adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
        }
        if (!adapter) throw new CliError('error: navigator.gpu has no adapter (a GPU driver the browser accepts, or its software adapter)');
        ctx = await contextFor(navigator.gpu, adapter);
        // Browsers may leave the description empty; the summary's `adapter` names vendor and architecture then.
        ctx.facts.description ||= [adapter.info.vendor, adapter.info.architecture].filter(Boolean).join(' ');
        log(`adapter: ${ctx.facts.description}`);
      }
      const gpu = ctx;
      const records: Record<string, EpochRecord[]> = {};
      let lastDraw = 0;
      let t0 = performance.now();
      let s0 = 0;
      const planned = payload.runs.map((r) => ({
        experiment: r.experiment,
        id: r.plan.runId,
        config: r.plan.config,
        plan: () => r.plan,
        dataset: datasets.get(JSON.stringify(r.plan.config.data))!,
      }));
      // Curves follow metrics.jsonl as executeRun rewrites it after each epoch.
      const stop = volume.onChange((path, data) => {
        const m = /^\/runs\/([^/]+)\/metrics\.jsonl$/.exec(path);
        if (!m || !data) return;
        records[m[1]] = new TextDecoder().decode(data).split('\n').filter(Boolean).map((l) => JSON.parse(l) as EpochRecord);
        void drawCurves($('curves'), records, state.running);
      });
      try {
        const result = await runPlans(gpu, planned, {
          out: OUT,
          source: payload.source,
          log,
          resume: true,
          onProgress: (epoch, step, steps, running, run) => {
            const now = performance.now();
            if (running && run) {
              state.running.push({ run, epoch: epoch + step / steps, loss: running.loss, accuracy: running.accuracy });
              // At most twice a second: on a fast GPU, steps come faster than a chart renders.
              if (now - lastDraw > 500 || step === steps) {
                lastDraw = now;
                void drawCurves($('curves'), records, state.running);
              }
            }
            if (step < s0) (t0 = now), (s0 = 0);
            const batch = payload.runs[0].plan.config.train.batch;
            const rate = now > t0 ? ((step - s0) * batch * 1000) / (now - t0) : 0;
            state.imagesPerSecond = rate;
            ($('bar') as HTMLProgressElement).value = step / steps;
            $('status').textContent = `epoch ${epoch + 1}: step ${step}/${steps}, ${Math.round(rate)} images/s`;
          },
        });
        if (result.kind === 'interrupted') throw new CliError(result.message);
      } finally {
        stop();
      }
      await mirror?.flushed();
      // The run directories' files and each run's subnetwork, as `subnet export` writes it.
      const dl = $('downloads');
      dl.replaceChildren();
      for (const r of payload.runs) {
        const dir = `${OUT}/${r.plan.runId}`;
        const stored = readRunDir(dir);
        const summary = volume.read(`${dir}/summary.json`);
        if (summary) state.summaries.push(JSON.parse(new TextDecoder().decode(summary)) as Record<string, unknown>);
        const box = el('div', { class: 'run' });
        box.append(el('h3', {}, `run ${r.plan.runId}`));
        for (const name of ['summary.json', 'metrics.jsonl', 'config.json', 'checkpoint.safetensors']) {
          const data = volume.read(`${dir}/${name}`);
          if (data) box.append(download(name, data, name.endsWith('.json') ? 'application/json' : 'application/octet-stream'));
        }
        // As `subnet export` does, from the configuration the run directory recorded.
        const ex = await restoreRun(gpu, { ...r.plan, config: stored.config }, stored);
        const net = await readSubnetwork(ex);
        ex.destroy();
        box.append(download(`${r.plan.runId}.safetensors`, safetensorsExport(net, r.plan.runId, stored.checkpoint), 'application/octet-stream'));
        dl.append(box);
      }
      state.state = 'done';
      $('status').textContent = `done: ${payload.runs.length} run(s); files below`;
    } catch (e) {
      const msg = e instanceof CliError || e instanceof DataError || e instanceof CheckpointError ? e.message : `internal error: ${(e as Error).message}`;
      fail(msg.startsWith('error:') || msg.startsWith('internal') ? msg : `error: ${msg}`);
    } finally {
      ($('train') as HTMLButtonElement).disabled = false;
    }
  });
}
