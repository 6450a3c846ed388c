// index.html of the web target: the page's elements (page.ts fills them) and the bundle.

/** The page's HTML around the bundle (`subnet compile --target web` writes it as index.html). */
export function pageHtml(title: string, version: string): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>subnet: ${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:62em;padding:0 1em;color:#222}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.4em}h3{font-size:1em;margin:.6em 0 .3em}
table{border-collapse:collapse}td,th{padding:2px 10px;border-bottom:1px solid #ddd;text-align:left;font-family:ui-monospace,monospace;font-size:12px}
td.num{text-align:right}#drop{border:2px dashed #999;padding:1em;border-radius:6px}
#log{background:#f6f6f6;padding:.6em;max-height:14em;overflow:auto;font-size:12px}
.error{color:#b00020;font-weight:600}progress{width:100%}.download{display:block;margin:.2em 0}.note{color:#666}
</style></head>
<body>
<h1>subnet ${esc(version)}: <span id="title"></span></h1>
<section id="plan"></section>
<section id="data"><h2>Data</h2>
<div id="drop">Drop the dataset files here, or pick them: <input type="file" id="files" multiple>
<div id="picked" class="note"></div></div></section>
<h2>Training</h2>
<p><button id="train" disabled>Train</button> <button id="clear">Clear stored runs</button></p>
<progress id="bar" value="0" max="1"></progress>
<p id="status">ready</p>
<div id="curves"></div>
<div id="downloads"></div>
<pre id="log"></pre>
<script type="module" src="subnet.js"></script>
</body></html>
`;
}
