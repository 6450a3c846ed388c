// The web target in a real browser: `subnet compile --target web` of the quickstart (one epoch
// on 2,000 Fashion-MNIST training and 2,000 test images), served on 127.0.0.1 to headless
// Chromium (Debian's package, driven by playwright-core). The page is given the four IDX files
// through its file input, trains on navigator.gpu, and must end with the same summary metrics
// and metrics.jsonl as `subnet run` of the same configuration, and offer a safetensors download
// equal to `subnet export`'s (weights, masks and metadata byte for byte; scores within a
// tolerance, as Chromium's adapter is not lavapipe). Reloading the page finds the run in the browser's storage
// (OPFS) and does not train it again. A screenshot of the finished page goes to
// test-artifacts/web/page.png. Chromium's WebGPU runs on its SwiftShader adapter here (it refuses
// llvmpipe/lavapipe: docs/web.md), `subnet run` on lavapipe; the metrics still match exactly. When
// Chromium ships its SwiftShader driver as a file, `subnet run` also runs on it, and the page's
// export must equal that one byte for byte, scores included.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { asF32, decodeSafetensors } from '../../runtime/export/safetensors.js';
import { TIMING_FIELDS } from '../../runtime/results/epoch.js';
import { DIGEST_KEY } from '../../runtime/results/integrity.js';
import { ROOT, subnet } from '../helpers/cli.js';
import { chromiumPath, launchWebGpuChromium, serveWebFolder } from './browser.js';

const FASHION = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const SETS = ['--set', 'train.epochs=1', '--set', 'data.subset=2000', '--set', 'data.test_subset=2000'];
const FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
/** Scores may differ by this fraction of their largest magnitude (measured: 1.3e-7 at most; docs/web.md). */
const SCORE_TOLERANCE = 1e-5;
const ARTIFACTS = join(ROOT, 'test-artifacts', 'web');
/**
 * Chromium's own SwiftShader Vulkan driver, which Dawn in Node can load too: `subnet run` on the
 * adapter the page uses, for a byte-for-byte comparison and images/s on one adapter.
 */
const SWIFTSHADER_ICD = process.env.SUBNET_SWIFTSHADER_ICD ?? '/usr/lib/chromium/vk_swiftshader_icd.json';

const root = mkdtempSync(join(tmpdir(), 'subnet-web-'));
process.on('exit', () => process.env.SUBNET_KEEP_TMP || rmSync(root, { recursive: true, force: true }));

const browser = chromiumPath();
const dataFiles = FILES.map((f) => (existsSync(join(FASHION, f)) ? join(FASHION, f) : join(FASHION, `${f}.gz`)));
const skip = !browser ? 'no Chromium (scripts/setup.sh installs Debian\'s chromium; set SUBNET_CHROMIUM to another)' : !dataFiles.every(existsSync) ? `no Fashion-MNIST in ${FASHION}` : undefined;
if (skip) console.log(`SKIP test/web: ${skip}`);

function metricsWithoutTimings(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => Object.fromEntries(Object.entries(JSON.parse(l) as Record<string, unknown>).filter(([k]) => !(TIMING_FIELDS as readonly string[]).includes(k))));
}

(skip ? test.skip : test)('the quickstart trains in Chromium to the metrics and export of subnet run', async () => {
  const web = join(root, 'web');
  const c = subnet(['compile', 'examples/quickstart.subnet', '--target', 'web', '-o', web, ...SETS]);
  assert.is(c.code, 0, c.stderr);
  assert.ok(existsSync(join(web, 'index.html')) && existsSync(join(web, 'subnet.js')));
  assert.not.match(readFileSync(join(web, 'subnet.js'), 'utf8'), /https?:\/\/(cdn|unpkg|esm\.sh)/);

  const runs = join(root, 'runs');
  const r = subnet(['run', 'examples/quickstart.subnet', '--out', runs, ...SETS]);
  assert.is(r.code, 0, r.stderr);
  const id = /run ([0-9a-f]{12})/.exec(r.stdout)![1];
  const cliSummary = JSON.parse(readFileSync(join(runs, id, 'summary.json'), 'utf8'));
  const exported = join(root, 'cli.safetensors');
  const e = subnet(['export', join(runs, id), '--format', 'safetensors', '-o', exported]);
  assert.is(e.code, 0, e.stderr);

  // The same run on SwiftShader through Node's Dawn, when Chromium ships the driver.
  const ss = existsSync(SWIFTSHADER_ICD) ? join(root, 'runs-swiftshader') : undefined;
  let ssExport: string | undefined;
  let ssSummary: Record<string, unknown> | undefined;
  if (ss) {
    const env = { VK_ICD_FILENAMES: SWIFTSHADER_ICD };
    const r2 = subnet(['run', 'examples/quickstart.subnet', '--out', ss, ...SETS], env);
    assert.is(r2.code, 0, r2.stderr);
    ssSummary = JSON.parse(readFileSync(join(ss, id, 'summary.json'), 'utf8'));
    assert.match(String(ssSummary!.adapter), /SwiftShader/i);
    ssExport = join(root, 'swiftshader.safetensors');
    const e2 = subnet(['export', join(ss, id), '--format', 'safetensors', '-o', ssExport], env);
    assert.is(e2.code, 0, e2.stderr);
  }

  const { server, url } = await serveWebFolder(web);
  const b = await launchWebGpuChromium(browser!);
  try {
    const context = await b.newContext({ viewport: { width: 1000, height: 1100 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(url);
    await page.setInputFiles('#files', dataFiles);
    await page.click('#train');
    await page.waitForFunction(() => ['done', 'error'].includes((window as unknown as { subnet: { state: string } }).subnet.state), null, { timeout: 10 * 60 * 1000, polling: 500 });
    const state = await page.evaluate(() => (window as unknown as { subnet: { state: string; message?: string; log: string[]; summaries: Record<string, unknown>[]; running: { epoch: number; loss: number }[] } }).subnet);
    assert.equal(errors, []);
    assert.is(state.state, 'done', state.message);
    const s = state.summaries[0];
    for (const k of ['run_id', 'epochs', 'final_test_accuracy', 'best_test_accuracy', 'best_epoch', 'final_train_accuracy', 'final_train_loss', 'final_test_loss', 'params', 'kept_params']) {
      assert.equal(s[k], cliSummary[k], `summary.${k}: browser ${s[k]}, subnet run ${cliSummary[k]}`);
    }
    // The curves followed the epoch as it ran: its running loss, ending at the epoch's train loss.
    assert.ok(state.running.length >= 2, `running points: ${JSON.stringify(state.running)}`);
    assert.is(state.running[state.running.length - 1].epoch, 1);
    assert.is(state.running[state.running.length - 1].loss, s.final_train_loss);
    console.log(
      `images/s: Chromium ${Math.round(s.train_images_per_second as number)} (${state.log.find((l) => l.startsWith('adapter'))}), subnet run ${Math.round(cliSummary.train_images_per_second)} (${cliSummary.adapter})` +
        (ssSummary ? `, subnet run ${Math.round(ssSummary.train_images_per_second as number)} (${ssSummary.adapter})` : ''),
    );

    const save = async (text: string) => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.click(`a.download:has-text("${text}")`)]);
      const to = join(root, `browser-${d.suggestedFilename()}`);
      await d.saveAs(to);
      return to;
    };
    assert.equal(metricsWithoutTimings(await save('metrics.jsonl')), metricsWithoutTimings(join(runs, id, 'metrics.jsonl')));
    // SwiftShader and lavapipe round a few score updates differently (docs/web.md): weights, masks
    // and metadata are identical, the scores equal to a small tolerance, and so are the metrics above.
    const browserExport = await save(`${id}.safetensors`);
    const mine = decodeSafetensors(readFileSync(browserExport));
    const theirs = decodeSafetensors(readFileSync(exported));
    if (ssExport) {
      // On one adapter (SwiftShader in the page and in Node) the export is the same, scores too.
      const other = decodeSafetensors(readFileSync(ssExport));
      for (const [name, t] of other.tensors) assert.ok(Buffer.from(mine.tensors.get(name)!.data).equals(Buffer.from(t.data)), `${name}: browser and subnet run on SwiftShader differ`);
    }
    const { [DIGEST_KEY]: _a, ...metaMine } = mine.metadata;
    const { [DIGEST_KEY]: _b, ...metaTheirs } = theirs.metadata;
    assert.equal(metaMine, metaTheirs);
    assert.equal([...mine.tensors.keys()], [...theirs.tensors.keys()]);
    for (const [name, t] of theirs.tensors) {
      const u = mine.tensors.get(name)!;
      assert.is(u.dtype, t.dtype);
      assert.equal(u.shape, t.shape);
      if (!name.endsWith('.scores')) {
        assert.ok(Buffer.from(u.data).equals(Buffer.from(t.data)), `${name} differs`);
        continue;
      }
      const a = asF32(t);
      const b = asF32(u);
      let scale = 0;
      let diff = 0;
      let differ = 0;
      for (let i = 0; i < a.length; i++) {
        scale = Math.max(scale, Math.abs(a[i]));
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
        if (a[i] !== b[i]) differ++;
      }
      console.log(`${name}: ${differ} of ${a.length} differ, max |Δ| ${diff.toExponential(2)} (max |score| ${scale.toExponential(2)})`);
      assert.ok(diff <= SCORE_TOLERANCE * scale, `${name}: max |Δ| ${diff} > ${SCORE_TOLERANCE} × ${scale}`);
    }

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'page.png'), fullPage: true });

    // A reload finds the finished run in OPFS and does not train it again.
    await page.reload();
    await page.setInputFiles('#files', dataFiles);
    await page.click('#train');
    await page.waitForFunction(() => ['done', 'error'].includes((window as unknown as { subnet: { state: string } }).subnet.state), null, { timeout: 5 * 60 * 1000, polling: 500 });
    const again = await page.evaluate(() => (window as unknown as { subnet: { state: string; message?: string; log: string[] } }).subnet);
    assert.is(again.state, 'done', again.message);
    assert.ok(again.log.some((l) => l.startsWith('browser storage:')), again.log.join('\n'));
    assert.ok(again.log.some((l) => l.includes(`run ${id}  already complete`)), again.log.join('\n'));
  } finally {
    await b.close();
    server.close();
  }
});

test('a page without data files says which it needs, as the CLI would', async () => {
  if (skip) return;
  const web = join(root, 'web');
  if (!existsSync(join(web, 'index.html'))) return; // the first test failed before compiling
  const { server, url } = await serveWebFolder(web);
  const b = await launchWebGpuChromium(browser!);
  try {
    const page = await b.newPage();
    await page.goto(url);
    assert.match((await page.textContent('#picked')) ?? '', /still needed: train-images-idx3-ubyte/);
    await page.setInputFiles('#files', dataFiles.slice(1));
    await page.click('#train');
    await page.waitForFunction(() => (window as unknown as { subnet: { state: string } }).subnet.state === 'error', null, { timeout: 60_000 });
    assert.match((await page.textContent('#status')) ?? '', /train-images-idx3-ubyte: missing \(looked for train-images-idx3-ubyte and train-images-idx3-ubyte\.gz\)/);
  } finally {
    await b.close();
    server.close();
  }
});

test.run();
