// The live console in a real browser (Debian's chromium, headless, driven by playwright-core),
// against a real gateway process (`herald serve`, embedded, development tokens) behind a TCP
// proxy standing in for a load balancer: the console connects through herald-client, shows the
// pushes of samples posted with its picker, rides out a gateway restart without a page reload,
// filters, and fits 390 px. Screenshots at 1280 and 390 px go to .cache/screenshots/. No console
// errors, no failed request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../helpers.js';
import { ensurePackages, freePort } from './harness.js';
import { served, type Served } from '../client/serve.js';
import { tcpProxy, type TcpProxy } from '../client/proxy.js';

const SHOTS = join(ROOT, '.cache', 'screenshots');
let browser: Browser;
let gateway: Served;
let proxy: TcpProxy;

beforeAll(async () => {
  ensurePackages(true);
  gateway = served(await freePort());
  await gateway.start();
  proxy = await tcpProxy(gateway.port);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await gateway?.kill('SIGKILL');
});

/** Everything the page reports as wrong: console errors, uncaught exceptions, failed requests. */
function problemsOf(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  return problems;
}

async function postSample(page: Page, name: string): Promise<void> {
  await page.selectOption('#sample', { label: name });
  await page.click('#post');
  await page.locator('#post-result', { hasText: /posted for u1: 1 push$/ }).waitFor();
  await page.locator('#post-result').evaluate((e) => (e.textContent = ''));
}

describe('live console in a real browser', () => {
  it('connects through herald-client, shows picked samples, rides out a restart, fits 390 px', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const problems = problemsOf(page);
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`http://127.0.0.1:${proxy.port}/`);
    await page.fill('#user', 'u1');
    await page.click('#connect');
    await page.locator('#state-text', { hasText: 'connected as u1' }).waitFor();
    expect(await page.getAttribute('#state', 'class')).toBe('state connected');

    await page.locator('#sample-form').waitFor();
    await postSample(page, 'volume.create.end (seed)');
    await page.locator('.row').first().waitFor();
    const first = page.locator('.row').first();
    expect(await first.locator('.seq').textContent()).toBe('#1');
    expect(await first.locator('.kind').textContent()).toBe('volume/ STATES');
    expect(await first.locator('.what').textContent()).toBe('data · v9 · available · volume.create.end');
    // The row names the transformer entry that made the push: the volume entry of rules/settings.ini.
    const rule = (await first.locator('.rule').textContent()) ?? '';
    const line = Number(/^rules\/settings\.ini:(\d+):\d+$/.exec(rule)?.[1]);
    expect(readFileSync(join(ROOT, 'rules', 'settings.ini'), 'utf8').split('\n').slice(line - 1, line + 2).join('\n')).toContain("'volume.create.end'");
    await postSample(page, 'compute.instance.create.error');
    await page.locator('.row.error').waitFor();
    expect(await page.locator('.row.error .what').textContent()).toContain('compute.instance.create.error');
    expect(await page.locator('.row.error .flag').textContent()).toBe('ERROR');
    await postSample(page, 'network.create.end');
    await expect.poll(() => page.locator('.row').count()).toBe(3);

    // Restart: the proxy (a load balancer here) holds new connections until the new process listens.
    proxy.hold();
    await gateway.kill('SIGTERM');
    await page.locator('.note.down', { hasText: /reconnecting in .* s \(1001 server shutting down\)/ }).waitFor();
    expect(await page.getAttribute('#state', 'class')).not.toBe('state connected');
    await gateway.start();
    proxy.release();
    await page.locator('.note.reset').waitFor();
    await page.locator('#state-text', { hasText: 'connected as u1' }).waitFor();
    expect(await page.locator('.note.reset').textContent()).toContain('epoch changed');
    await postSample(page, 'volume.attach.end');
    await expect.poll(() => page.locator('.row').count()).toBe(4);
    expect(await page.locator('.row').first().locator('.seq').textContent()).toBe('#1'); // a new epoch counts anew
    expect(loads).toBe(1);
    expect(await page.textContent('#counts')).toBe('4 pushes · 1 error · 1 reset');

    // Filter, pause, expand.
    await page.fill('#filter', 'compute');
    expect(await page.locator('.row:visible').count()).toBe(1);
    await page.fill('#filter', '');
    await page.click('#pause');
    await postSample(page, 'snapshot.create.end');
    await page.locator('#pause', { hasText: 'Resume (1)' }).waitFor();
    expect(await page.locator('.row').count()).toBe(4);
    await page.click('#pause');
    expect(await page.locator('.row').count()).toBe(5);
    await page.locator('.row.error summary').click();
    expect(await page.locator('.row.error pre').textContent()).toContain('"message_type": "server"');

    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'console-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    for (const sel of ['header', '.panel', '.toolbar', '.timeline']) {
      const box = (await page.locator(sel).boundingBox())!;
      expect(box.x + box.width, `${sel} fits 390 px`).toBeLessThanOrEqual(390);
    }
    await page.screenshot({ path: join(SHOTS, 'console-390.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
