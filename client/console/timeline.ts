// The console's timeline: one expandable row per push (time, seq, message_type/message_event,
// a summary, the rule that made it), notes for resets and connection changes; newest first,
// filtered as you type, held back while paused.
import type { PushData, PushMeta } from '../src/index.js';
import { byId, clockTime, el } from './dom.js';

const MAX_ROWS = 500;

/** The seed's frame shape: message_event, message_type, message{resource_id, name, state, event}. */
function message(data: PushData): Record<string, unknown> {
  return data.message && typeof data.message === 'object' ? (data.message as Record<string, unknown>) : {};
}

/** Error events (`*.error`): by the event the frame names, or its message_type/message_event. */
export function isErrorEvent(data: PushData): boolean {
  const m = message(data);
  return [m.event, data.event, data.message_event, data.message_type].some((v) => typeof v === 'string' && /(^|\.)error$/i.test(v));
}

function summaryOf(data: PushData): string {
  const m = message(data);
  const parts = [m.name, m.resource_id, m.state, m.event].filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
  return parts.length ? [...new Set(parts)].join(' · ') : JSON.stringify(data);
}

function pushRow(data: PushData, meta: PushMeta): HTMLLIElement {
  const error = isErrorEvent(data);
  const li = el('li', error ? 'row error' : 'row');
  const details = el('details');
  const summary = el('summary');
  const kind = el('span', 'kind', String(data.message_type ?? '—'));
  kind.append(el('b', '', '/ ' + String(data.message_event ?? '—')));
  const what = el('span', 'what', summaryOf(data));
  if (error) what.prepend(el('span', 'flag', 'ERROR'), ' ');
  summary.append(el('span', 't', clockTime()), el('span', 'seq', '#' + meta.seq), kind, what, el('span', 'rule', meta.rule ?? ''));
  if (meta.rule) summary.title = `made by the rule at ${meta.rule}`;
  const frame = { type: 'push', seq: meta.seq, ...(meta.rule ? { rule: meta.rule } : {}), data };
  details.append(summary, el('pre', '', JSON.stringify(frame, null, 2)));
  li.append(details);
  li.dataset.text = JSON.stringify(frame).toLowerCase();
  return li;
}

export class Timeline {
  private readonly list = byId<HTMLOListElement>('timeline');
  private readonly empty = byId('empty');
  private readonly pauseButton = byId<HTMLButtonElement>('pause');
  private readonly counts = byId('counts');
  private readonly held: HTMLLIElement[] = [];
  private filter = '';
  private paused = false;
  private pushes = 0;
  private errors = 0;
  private resets = 0;

  constructor() {
    byId<HTMLInputElement>('filter').addEventListener('input', (e) => this.setFilter((e.target as HTMLInputElement).value));
    this.pauseButton.addEventListener('click', () => this.togglePause());
    byId('clear').addEventListener('click', () => this.clear());
  }

  push(data: PushData, meta: PushMeta): void {
    this.pushes++;
    if (isErrorEvent(data)) this.errors++;
    this.add(pushRow(data, meta));
  }

  note(kind: 'reset' | 'down' | 'up' | 'info', text: string): void {
    if (kind === 'reset') this.resets++;
    const li = el('li', `note ${kind}`);
    li.append(el('span', 't', clockTime() + '  '), text);
    li.dataset.text = text.toLowerCase();
    this.add(li);
  }

  private add(li: HTMLLIElement): void {
    if (this.paused) this.held.push(li);
    else this.show(li);
    this.updateCounts();
  }

  private show(li: HTMLLIElement): void {
    li.hidden = !this.matches(li);
    this.list.prepend(li);
    while (this.list.children.length > MAX_ROWS) this.list.lastElementChild!.remove();
    this.empty.hidden = true;
  }

  private matches(li: HTMLElement): boolean {
    return !this.filter || (li.dataset.text ?? '').includes(this.filter);
  }

  private setFilter(text: string): void {
    this.filter = text.trim().toLowerCase();
    for (const li of Array.from(this.list.children) as HTMLElement[]) li.hidden = !this.matches(li);
  }

  private togglePause(): void {
    this.paused = !this.paused;
    this.pauseButton.setAttribute('aria-pressed', String(this.paused));
    if (!this.paused) for (const li of this.held.splice(0)) this.show(li);
    this.updateCounts();
  }

  private clear(): void {
    this.list.replaceChildren();
    this.held.length = 0;
    this.pushes = this.errors = this.resets = 0;
    this.empty.hidden = false;
    this.updateCounts();
  }

  private updateCounts(): void {
    const n = (k: number, one: string, many: string): string => `${k} ${k === 1 ? one : many}`;
    this.counts.textContent = [n(this.pushes, 'push', 'pushes'), n(this.errors, 'error', 'errors'), n(this.resets, 'reset', 'resets')].join(' · ');
    this.pauseButton.textContent = this.paused ? `Resume${this.held.length ? ` (${this.held.length})` : ''}` : 'Pause';
  }
}
