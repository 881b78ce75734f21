// The embedded live page (GET /): connect with a token, watch pushes arrive. Inline so the
// single-file bundle needs no asset; everything shown is set with textContent (no HTML from data).
export const LIVE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Herald live</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1d232b}input{font:inherit;padding:.25em;width:28em}
button{font:inherit;padding:.25em .8em}#status{font-weight:bold}#log{font:12.5px ui-monospace,monospace;white-space:pre-wrap;background:#f5f6f8;padding:.6em;min-height:8em}
.row{margin:.4em 0}
</style></head><body>
<h1>Herald live</h1>
<div class="row"><label>User id <input id="sub" placeholder="user id (development token)"></label> <button id="mint">Get development token</button></div>
<div class="row"><label>Token <input id="token" placeholder="JWT"></label> <button id="connect">Connect</button></div>
<div class="row">Status: <span id="status">disconnected</span> · pushes: <span id="count">0</span></div>
<div id="log"></div>
<script>
const $ = (id) => document.getElementById(id);
let ws = null, epoch = null, seq = 0, count = 0;
function line(text) { const d = document.createElement('div'); d.textContent = text; $('log').prepend(d); }
$('mint').onclick = async () => {
  const r = await fetch('/v1/dev-token', { method: 'POST', body: JSON.stringify({ sub: $('sub').value }) });
  const j = await r.json();
  if (j.token) $('token').value = j.token; else line('dev token: ' + (j.error || r.status));
};
$('connect').onclick = () => {
  if (ws) ws.close();
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  ws = new WebSocket(url, 'herald.v1');
  $('status').textContent = 'connecting';
  ws.onopen = () => ws.send(JSON.stringify(epoch ? { type: 'auth', token: $('token').value, resume: { epoch, seq } } : { type: 'auth', token: $('token').value }));
  ws.onmessage = (m) => {
    const f = JSON.parse(m.data);
    if (f.type === 'ready') { epoch = f.epoch; seq = f.seq; $('status').textContent = 'connected as ' + f.user; }
    else if (f.type === 'push') { seq = f.seq; $('count').textContent = String(++count); line('push #' + f.seq + ' ' + JSON.stringify(f.data)); }
    else if (f.type === 'reset') { epoch = null; line('reset: ' + f.reason); }
    else if (f.type === 'error') line('error ' + f.code + ': ' + f.message);
  };
  ws.onclose = (e) => { $('status').textContent = 'closed (' + e.code + ')'; };
};
</script></body></html>
`;
