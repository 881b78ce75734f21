// The live console: connect as a user (a pasted JWT, or a development token in embedded mode)
// through herald-client, watch the timeline, and post the gateway's sample notifications.
import { HeraldClient, type StateChange } from '../src/index.js';
import { byId } from './dom.js';
import { Timeline } from './timeline.js';

interface SampleInfo {
  id: number;
  name: string;
  eventType: string;
  source: string;
}

const timeline = new Timeline();
const userInput = byId<HTMLInputElement>('user');
const tokenInput = byId<HTMLInputElement>('token');
const stateBox = byId('state');
const stateText = byId('state-text');
const disconnectButton = byId<HTMLButtonElement>('disconnect');
let client: HeraldClient | null = null;
let user = '';

async function devToken(sub: string): Promise<string> {
  const r = await fetch('/v1/dev-token', { method: 'POST', body: JSON.stringify({ sub }) });
  const j = (await r.json()) as { token?: string; error?: string };
  if (!j.token) throw new Error(j.error ?? `development token: HTTP ${r.status}`);
  return j.token;
}

function describe(s: StateChange): string {
  if (s.state === 'connecting') return 'connecting…';
  if (s.state === 'connected') return `connected as ${user}`;
  if (s.state === 'idle') return 'not connected';
  const why = `${s.code ?? ''} ${s.reason ?? ''}`.trim();
  if (!s.willRetry) return `disconnected${why ? ` (${why})` : ''}`;
  return s.delayMs === undefined ? `offline, waiting for the network` : `reconnecting in ${(s.delayMs / 1000).toFixed(1)} s${why ? ` (${why})` : ''}`;
}

function showState(s: StateChange, from: HeraldClient): void {
  if (from !== client && s.state !== 'disconnected') return;
  stateBox.className = `state ${s.state}${s.willRetry ? ' retrying' : ''}`;
  stateText.textContent = describe(s);
  stateBox.title = from.epoch ? `epoch ${from.epoch}, seq ${from.seq}` : '';
  if (s.state === 'disconnected') timeline.note('down', describe(s));
  if (s.state === 'connected') timeline.note('up', `${describe(s)} · epoch ${from.epoch?.slice(0, 8)} · seq ${from.seq}`);
  disconnectButton.disabled = s.state === 'disconnected' && !s.willRetry;
}

function connect(e: Event): void {
  e.preventDefault();
  client?.close();
  user = userInput.value.trim();
  const pasted = tokenInput.value.trim();
  const c = new HeraldClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    getToken: pasted ? async () => pasted : () => devToken(user),
  });
  client = c;
  c.on('state', (s) => showState(s, c));
  c.on('push', (data, meta) => timeline.push(data, meta));
  c.on('reset', (reason) => timeline.note('reset', `reset: ${reason} (an app reloads its state here)`));
  c.connect();
  disconnectButton.disabled = false;
}

async function loadSamples(): Promise<void> {
  const r = await fetch('/v1/console/samples');
  const { samples } = (await r.json()) as { samples: SampleInfo[] };
  if (!samples.length) return;
  const select = byId<HTMLSelectElement>('sample');
  for (const s of samples) select.add(new Option(s.name, String(s.id)));
  select.title = samples[0]?.source ?? '';
  select.addEventListener('change', () => (select.title = samples[select.selectedIndex]?.source ?? ''));
  byId('sample-form').hidden = false;
}

async function postSample(e: Event): Promise<void> {
  e.preventDefault();
  const result = byId('post-result');
  const id = byId<HTMLSelectElement>('sample').value;
  const as = userInput.value.trim() || 'u1';
  const body = await (await fetch(`/v1/console/samples/${id}?user=${encodeURIComponent(as)}`)).text();
  const r = await fetch('/v1/notifications', { method: 'POST', body });
  const j = (await r.json()) as { results?: { pushes?: number; dropped?: string; error?: string }[]; error?: string };
  const first = j.results?.[0];
  result.textContent = first?.pushes !== undefined ? `posted for ${as}: ${first.pushes} push${first.pushes === 1 ? '' : 'es'}` : `not pushed: ${first?.dropped ?? first?.error ?? j.error ?? r.status}`;
}

byId('connect-form').addEventListener('submit', connect);
disconnectButton.addEventListener('click', () => client?.close());
byId('sample-form').addEventListener('submit', (e) => void postSample(e).catch((err: Error) => (byId('post-result').textContent = `failed: ${err.message}`)));
void loadSamples().catch(() => undefined);
