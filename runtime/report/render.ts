// Vega-Lite → Vega → SVG with vega's headless View (renderer 'none'): no browser, no canvas.
// Without a canvas, vega estimates text widths from the font size, which is close enough for
// legends and axis titles.
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { VegaLiteSpec } from './spec.js';

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = vl.compile(spec as unknown as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
