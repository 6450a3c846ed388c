// The web page's other paths in a real browser: a page reloaded in the middle of a run resumes
// from the checkpoint it keeps in the browser's storage (OPFS) and ends where `subnet run` of the
// same configuration ends; files dropped on the page go where picked files go; a browser without
// WebGPU gets the message that says what to enable.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { subnet } from '../helpers/cli.js';
import { chromiumPath, launchWebGpuChromium, serveWebFolder } from './browser.js';

const FASHION = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const SETS = ['--set', 'train.epochs=3', '--set', 'data.subset=1000', '--set', 'data.test_subset=500'];
const FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

type PageState = { state: string; message?: string; log: string[]; summaries: Record<string, unknown>[] };

const root = mkdtempSync(join(tmpdir(), 'subnet-web-resume-'));
process.on('exit', () => process.env.SUBNET_KEEP_TMP || rmSync(root, { recursive: true, force: true }));
const browser = chromiumPath();
const dataFiles = FILES.map((f) => (existsSync(join(FASHION, f)) ? join(FASHION, f) : join(FASHION, `${f}.gz`)));
const skip = !browser || !dataFiles.every(existsSync);
if (skip) console.log('SKIP test/web/page-resume: no Chromium or no Fashion-MNIST (see page.test.ts)');

const web = join(root, 'web');
function compiled(): string {
  if (!existsSync(join(web, 'index.html'))) {
    const c = subnet(['compile', 'examples/quickstart.subnet', '--target', 'web', '-o', web, ...SETS]);
    assert.is(c.code, 0, c.stderr);
  }
  return web;
}

(skip ? test.skip : test)('a page reloaded mid-run resumes from browser storage and ends as subnet run does', async () => {
  const runs = join(root, 'runs');
  const r = subnet(['run', 'examples/quickstart.subnet', '--out', runs, ...SETS]);
  assert.is(r.code, 0, r.stderr);
  const id = /run ([0-9a-f]{12})/.exec(r.stdout)![1];
  const cli = JSON.parse(readFileSync(join(runs, id, 'summary.json'), 'utf8'));

  const { server, url } = await serveWebFolder(compiled());
  const b = await launchWebGpuChromium(browser!);
  try {
    const page = await (await b.newContext()).newPage();
    const state = () => page.evaluate(() => (window as unknown as { subnet: PageState }).subnet);
    await page.goto(url);
    await page.setInputFiles('#files', dataFiles);
    await page.click('#train');
    // The first epoch's checkpoint is written (and queued to OPFS) before its line is logged.
    await page.waitForFunction(() => (window as unknown as { subnet: PageState }).subnet.log.some((l) => /(^|\s)epoch 1\/3\s/.test(l)), null, { timeout: 5 * 60 * 1000, polling: 200 });
    const before = await state();
    assert.is(before.state, 'training', 'still training when the page is reloaded');
    await page.waitForTimeout(1500);
    await page.reload();

    await page.setInputFiles('#files', dataFiles);
    await page.click('#train');
    await page.waitForFunction(() => ['done', 'error'].includes((window as unknown as { subnet: PageState }).subnet.state), null, { timeout: 5 * 60 * 1000, polling: 500 });
    const after = await state();
    assert.is(after.state, 'done', after.message);
    assert.ok(after.log.some((l) => l.startsWith('browser storage:')), after.log.join('\n'));
    assert.ok(after.log.some((l) => /resuming from .*checkpoint\.safetensors at epoch [23]/.test(l)), after.log.join('\n'));
    const s = after.summaries[0];
    for (const k of ['run_id', 'epochs', 'final_test_accuracy', 'best_test_accuracy', 'final_train_loss', 'final_test_loss']) {
      assert.equal(s[k], cli[k], `summary.${k}: browser ${s[k]}, subnet run ${cli[k]}`);
    }
  } finally {
    await b.close();
    server.close();
  }
});

(skip ? test.skip : test)('files dropped on the page are taken as picked files are', async () => {
  const { server, url } = await serveWebFolder(compiled());
  const b = await launchWebGpuChromium(browser!);
  try {
    const page = await b.newPage();
    await page.goto(url);
    const labels = dataFiles.filter((f) => f.includes('labels')).map((f) => ({ name: f.split('/').pop()!, b64: readFileSync(f).toString('base64') }));
    const dt = await page.evaluateHandle((files) => {
      const d = new DataTransfer();
      for (const f of files) d.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
      return d;
    }, labels);
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
    assert.is((await page.textContent('#picked'))?.trim(), 'still needed: train-images-idx3-ubyte, t10k-images-idx3-ubyte');
  } finally {
    await b.close();
    server.close();
  }
});

(skip ? test.skip : test)('a browser without WebGPU is told what to enable', async () => {
  const { server, url } = await serveWebFolder(compiled());
  const b = await launchWebGpuChromium(browser!);
  try {
    const page = await b.newPage();
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true }));
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { subnet: PageState }).subnet.state === 'error', null, { timeout: 30_000 });
    assert.match((await page.textContent('#status')) ?? '', /This browser has no WebGPU \(navigator\.gpu\)\. Use Chrome or Edge 113\+ \(on Linux: chrome:\/\/flags/);
  } finally {
    await b.close();
    server.close();
  }
});

test.run();
