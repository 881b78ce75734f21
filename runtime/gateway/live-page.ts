// The embedded live console (GET /): connects through herald-client (bundled into the page, see
// bundle/console.ts), shows a timeline of pushes, and in embedded mode posts sample notifications.
// One inline script and style (the page's CSP allows no other script source and no eval); all
// data is shown with textContent, never as HTML.
import { CONSOLE_SCRIPT } from './console/script.generated.js';

const STYLE = `
:root{--ink:#17202b;--muted:#5f6b7a;--line:#e3e7ed;--bg:#f3f5f8;--card:#fff;--brand:#1f3a5f;--ok:#1e9e5a;--warn:#c98a00;--bad:#d2403a;--idle:#8a94a3;--accent:#2f6fdf}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
.top{display:flex;align-items:center;justify-content:space-between;gap:12px;padding:10px 20px;background:var(--brand);color:#fff;position:sticky;top:0;z-index:2}
.brand{display:flex;align-items:center;gap:8px;font-weight:650;font-size:16px}.brand small{font-weight:400;opacity:.75;font-size:13px}
.state{display:flex;align-items:center;gap:7px;padding:3px 11px 3px 9px;border-radius:999px;background:rgba(255,255,255,.12);font-size:13px;max-width:60%;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.state i{flex:none;width:9px;height:9px;border-radius:50%;background:var(--idle)}
.state.connecting i{background:var(--warn);animation:pulse 1s infinite}.state.connected i{background:#3ddc84}.state.disconnected i{background:var(--bad)}.state.retrying i{background:#ff9f43;animation:pulse 1s infinite}
@keyframes pulse{50%{opacity:.35}}
.wrap{max-width:1180px;margin:0 auto;padding:16px 20px 40px}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;display:grid;gap:10px}
.fields{display:flex;flex-wrap:wrap;align-items:flex-end;gap:10px;margin:0}
label{display:grid;gap:3px;font-size:12px;color:var(--muted);font-weight:550}.grow{flex:1 1 260px}
input,select,button{font:inherit;font-size:14px;border:1px solid #cdd4de;border-radius:7px;padding:6px 10px;background:#fff;color:var(--ink);min-width:0}
input:focus,select:focus,button:focus-visible{outline:2px solid var(--accent);outline-offset:1px}
button{cursor:pointer;background:#f7f9fb;font-weight:550}button:hover{background:#eef2f6}button:disabled{opacity:.5;cursor:default}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}button.primary:hover{background:#285fc2}
button[aria-pressed=true]{background:#fff4d6;border-color:var(--warn)}
.toolbar{display:flex;flex-wrap:wrap;align-items:center;gap:8px;margin:14px 0 8px}.toolbar input{flex:1 1 220px}
.muted{color:var(--muted);font-size:13px}
.timeline{list-style:none;margin:0;padding:0;background:var(--card);border:1px solid var(--line);border-radius:10px;overflow:hidden}
.timeline:empty{display:none}
.row{border-bottom:1px solid var(--line);border-left:4px solid transparent}.row:last-child{border-bottom:0}
.row summary{display:grid;grid-template-columns:96px 52px minmax(150px,auto) 1fr auto;gap:12px;align-items:center;padding:7px 12px;cursor:pointer;list-style:none}
.row summary::-webkit-details-marker{display:none}
.row summary:hover{background:#f8fafc}
.t,.seq,.rule{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted)}
.seq{color:var(--ink);font-weight:600}
.kind{justify-self:start;display:inline-flex;gap:4px;align-items:center;padding:1px 8px;border-radius:6px;background:#e8effb;color:#1d4f9e;font-size:12.5px;font-weight:600;white-space:nowrap}
.kind b{font-weight:500;color:#4d6b99}
.what{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.rule{white-space:nowrap}
.row.error{border-left-color:var(--bad);background:#fff6f5}.row.error .kind{background:#fde3e1;color:#a3231d}.row.error .kind b{color:#b5524d}
.flag{font-size:11px;font-weight:700;color:#fff;background:var(--bad);border-radius:4px;padding:0 5px;margin-left:6px;vertical-align:1px}
pre{margin:0;padding:10px 14px 12px 112px;font:12.5px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-word;background:#fafbfc;border-top:1px dashed var(--line)}
.note{padding:6px 12px 6px 124px;font-size:13px;color:var(--muted);background:#fbfcfd}.note b{font-weight:600}
.note.reset{color:#8a5a00;background:#fff9e8}.note.down{color:#a3231d}.note.up{color:#17744a}
.empty{text-align:center;color:var(--muted);padding:36px 10px;border:1px dashed #cfd6df;border-radius:10px;margin:0}
@media (max-width:640px){
 .top{padding:8px 12px}.brand small{display:none}.state{max-width:70%}
 .wrap{padding:10px 10px 30px}.panel{padding:10px}
 .fields>label{flex:1 1 100%}.fields>button{flex:1 1 40%;padding:8px}
 .row summary{grid-template-columns:auto auto 1fr;gap:4px 8px;padding:8px 10px}
 .what{grid-column:1/-1;white-space:normal}.rule{grid-column:1/-1}
 pre{padding:8px 10px}.note{padding:6px 10px}
}`;

const BODY = `
<header class="top">
  <div class="brand"><img src="/favicon.svg" alt="" width="24" height="24">Herald <small>live console</small></div>
  <div id="state" class="state idle" role="status"><i></i><span id="state-text">not connected</span></div>
</header>
<main class="wrap">
  <section class="panel">
    <form id="connect-form" class="fields">
      <label>User id <input id="user" value="u1" autocomplete="off" spellcheck="false" required></label>
      <label class="grow">Token <input id="token" placeholder="JWT (empty: development token)" autocomplete="off" spellcheck="false"></label>
      <button id="connect" class="primary" type="submit">Connect</button>
      <button id="disconnect" type="button" disabled>Disconnect</button>
    </form>
    <form id="sample-form" class="fields" hidden>
      <label class="grow">Sample notification <select id="sample"></select></label>
      <button id="post" type="submit">Post sample</button>
      <span id="post-result" class="muted"></span>
    </form>
  </section>
  <section class="toolbar">
    <input id="filter" type="search" placeholder="Filter: type, event, any text" aria-label="Filter">
    <button id="pause" type="button" aria-pressed="false">Pause</button>
    <button id="clear" type="button">Clear</button>
    <span id="counts" class="muted">0 pushes</span>
  </section>
  <ol id="timeline" class="timeline"></ol>
  <p id="empty" class="empty">No pushes yet. Connect, then post a sample notification or send events to the gateway.</p>
</main>`;

export const LIVE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Herald live console</title><link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>${STYLE}</style></head><body>${BODY}
<script>${CONSOLE_SCRIPT}</script></body></html>
`;
