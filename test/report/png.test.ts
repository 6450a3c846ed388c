// A figure rendered to PNG with resvg (no browser): the image has the figure's size and the
// colours of its lines and baseline, and text is drawn (dark pixels in the axis-title strip).
// The PNG is left in a temporary directory for a person to look at (its path is printed).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aggregate } from '../../runtime/report/aggregate.js';
import { figuresFor } from '../../runtime/report/figures.js';
import { loadRunDirectory } from '../../runtime/report/load-dir.js';
import { renderSvg } from '../../runtime/report/render.js';
import { figureSpec } from '../../runtime/report/spec.js';
import { fig6 } from './fixtures.js';

test('Fig. 6 as PNG: sized like the SVG, with the series colours, the baseline and text', async () => {
  const root = mkdtempSync(join(tmpdir(), 'subnet-png-'));
  fig6(root);
  const [f] = figuresFor(aggregate(loadRunDirectory(root).complete));
  const svg = await renderSvg(figureSpec(f));
  const [, w, h] = /<svg[^>]*width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
  const img = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render();
  assert.is(img.width, 2 * w);
  assert.is(img.height, 2 * h);
  const px = img.pixels;
  const colours = new Map<string, number>();
  let dark = 0;
  for (let i = 0; i < px.length; i += 4) {
    const key = ((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]).toString(16).padStart(6, '0');
    colours.set(key, (colours.get(key) ?? 0) + 1);
    if (px[i] < 60 && px[i + 1] < 60 && px[i + 2] < 60) dark++;
  }
  assert.ok((colours.get('4c78a8') ?? 0) > 200, 'edge-popup line (blue)');
  assert.ok((colours.get('f58518') ?? 0) > 200, 'supermask line (orange)');
  assert.ok((colours.get('222222') ?? 0) > 100, 'dense baseline (near black)');
  assert.ok(dark > 2000, `text and axes are drawn (${dark} dark pixels)`);
  const out = join(root, `${f.id}.png`);
  writeFileSync(out, img.asPng());
  process.stdout.write(`PNG: ${out}\n`);
});

test.run();
