// Issue 5 acceptance 7: a real browser (Debian's chromium, headless, driven by playwright-core)
// opens the embedded gateway's live page, gets a development token, connects, and shows the
// push of a real sample posted to the HTTP ingest endpoint. The screenshot is kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT, SAMPLES } from '../helpers.js';
import { ensurePackages } from './harness.js';
import { loadGatewayConfig } from '../../runtime/gateway/config.js';
import { startGateway, type Gateway } from '../../runtime/gateway/gateway.js';
import { makeLogger } from '../../runtime/gateway/log.js';
import { rules } from '../../generated/decoders.js';
import { transforms } from '../../generated/transformers.js';

let browser: Browser;
let gateway: Gateway;

beforeAll(async () => {
  ensurePackages(true);
  // Embedded mode: no broker, no JWT key (development tokens), port chosen by the system.
  gateway = await startGateway({ config: loadGatewayConfig(null, { HERALD_WEBSOCKET__PORT: '0' }), rules, transforms, rulesFrom: 'generated/', logger: makeLogger('silent') });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

describe('live page in a real browser', () => {
  it('authenticates and shows a pushed event; saves a screenshot', async () => {
    const page = await browser.newPage();
    const base = `http://127.0.0.1:${gateway.port}`;
    await page.goto(base + '/');
    await page.fill('#sub', 'u1');
    await page.click('#mint');
    // Locators, not page-side functions: the page's CSP forbids eval (and this file has no DOM types).
    for (let i = 0; i < 100 && (await page.inputValue('#token')).length < 20; i++) await page.waitForTimeout(50);
    expect((await page.inputValue('#token')).length).toBeGreaterThan(20);
    await page.click('#connect');
    await page.locator('#status', { hasText: 'connected as u1' }).waitFor();
    const sample = readFileSync(join(SAMPLES, 'seed', 'volume.create.end.json'));
    const posted = await fetch(base + '/v1/notifications', { method: 'POST', body: sample });
    expect(await posted.json()).toEqual({ results: [{ message_id: '5f1c7a52-6b1e-4d8e-9a61-0c2b1a9f3e77', pushes: 1 }] });
    await page.locator('#count', { hasText: /^1$/ }).waitFor();
    const log = await page.textContent('#log');
    expect(log).toContain('push #1 {"message_event":"STATES","message_type":"volume","message":{"resource_id":"v9","name":"data","state":"available","event":"volume.create.end","option":"reload"}}');
    mkdirSync(join(ROOT, '.cache', 'screenshots'), { recursive: true });
    await page.screenshot({ path: join(ROOT, '.cache', 'screenshots', 'live-page.png') });
  });
});
