/**
 * The /docs page: one static HTML file that loads /openapi.json and renders it (operations with
 * their parameters, bodies and responses, the schemas, the error codes). No CDN, no build step.
 */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Compute exchange API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1b1f24; }
  header { background: #0d1b2a; color: #fff; padding: 16px 24px; }
  main { max-width: 1100px; margin: 0 auto; padding: 16px 24px; }
  h2 { border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 32px; }
  details { border: 1px solid #d0d7de; border-radius: 6px; margin: 8px 0; }
  summary { cursor: pointer; padding: 8px 12px; font-family: ui-monospace, monospace; }
  .m { display: inline-block; min-width: 64px; font-weight: 700; }
  .get { color: #0969da; } .post { color: #1a7f37; } .patch { color: #9a6700; } .delete { color: #cf222e; }
  .body { padding: 0 12px 12px; }
  pre { background: #f6f8fa; padding: 8px; overflow: auto; border-radius: 4px; }
  table { border-collapse: collapse; } td, th { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
  .lock { color: #9a6700; font-size: 12px; margin-left: 8px; }
</style>
</head>
<body>
<header><h1 id="title">API</h1><div>OpenAPI document: <a style="color:#9cf" href="/openapi.json">/openapi.json</a></div></header>
<main>
<section id="intro"></section>
<section id="ops"></section>
<section id="schemas"></section>
</main>
<script>
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
function md(text) {
  const lines = text.split('\\n');
  let html = '', table = [];
  const flush = () => {
    if (table.length === 0) return;
    html += '<table>' + table.filter((r) => !/^\\|\\s*-/.test(r)).map((r, i) =>
      '<tr>' + r.split('|').slice(1, -1).map((c) => (i === 0 ? '<th>' : '<td>') + esc(c.trim()) + (i === 0 ? '</th>' : '</td>')).join('') + '</tr>').join('') + '</table>';
    table = [];
  };
  let para = '';
  for (const l of lines) {
    if (l.startsWith('|')) { if (para) { html += '<p>' + para + '</p>'; para = ''; } table.push(l); continue; }
    flush();
    if (l.trim() === '') { if (para) html += '<p>' + para + '</p>'; para = ''; continue; }
    para += ' ' + esc(l).replace(/\\*\\*(.+?)\\*\\*/g, '<b>$1</b>').replace(/\`(.+?)\`/g, '<code>$1</code>');
  }
  flush();
  if (para) html += '<p>' + para + '</p>';
  return html;
}
fetch('/openapi.json').then((r) => r.json()).then((doc) => {
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
  document.title = doc.info.title;
  document.getElementById('intro').innerHTML = md(doc.info.description);
  let ops = '<h2>Endpoints</h2>';
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      ops += '<details><summary><span class="m ' + method + '">' + method.toUpperCase() + '</span>' + esc(path) +
        ' — ' + esc(op.summary) + (op.security && op.security.length ? '<span class="lock">signed</span>' : '') + '</summary><div class="body">';
      if (op.description) ops += '<p>' + esc(op.description) + '</p>';
      if (op.parameters) ops += '<table><tr><th>parameter</th><th>in</th><th>schema</th><th>description</th></tr>' +
        op.parameters.map((p) => '<tr><td>' + esc(p.name) + (p.required ? ' *' : '') + '</td><td>' + p.in + '</td><td><code>' + esc(JSON.stringify(p.schema)) + '</code></td><td>' + esc(p.description || '') + '</td></tr>').join('') + '</table>';
      if (op.requestBody) ops += '<p>Body</p><pre>' + esc(JSON.stringify(op.requestBody.content['application/json'].schema, null, 2)) + '</pre>';
      ops += '<p>Responses: ' + Object.keys(op.responses).map((s) => '<code>' + s + '</code>').join(' ') + '</p></div></details>';
    }
  }
  document.getElementById('ops').innerHTML = ops;
  let sch = '<h2>Schemas</h2>';
  for (const [name, s] of Object.entries(doc.components.schemas)) {
    sch += '<details><summary>' + esc(name) + '</summary><div class="body"><pre>' + esc(JSON.stringify(s, null, 2)) + '</pre></div></details>';
  }
  document.getElementById('schemas').innerHTML = sch;
});
</script>
</body>
</html>
`;
