// The registries: transport_url's scheme picks the source (an unknown one is a one-line start-up
// error naming it and the known ones), and every plug-in's options are in the settings schema.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCES, sourceForUrl, unknownTransportMessage } from '../../runtime/sources/registry.js';
import { AUTHENTICATORS } from '../../runtime/auth/registry.js';
import { SETTINGS_SCHEMA } from '../../runtime/config/schema.js';
import { loadGatewayConfig } from '../../runtime/gateway/config.js';

describe('registries', () => {
  it('rabbit://, amqp:// and amqps:// pick the RabbitMQ source; other schemes none', () => {
    for (const url of ['rabbit://u:p@h:5672/', 'AMQP://h/', 'amqps://h:5671/v']) expect(sourceForUrl(url)?.kind).toBe('rabbitmq');
    expect(sourceForUrl('nats://h:4222/')).toBeUndefined();
    expect(sourceForUrl('h:5672')).toBeUndefined();
  });

  it('an unknown scheme is one start-up line naming it and the known ones, never the credentials', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-reg-'));
    writeFileSync(join(dir, 'settings.ini'), '[MESSAGE_COLLECTOR]\ntransport_url = nats://user:secret@h:4222/\n[WEBSOCKET]\njwt_secret = x\n');
    let message = '';
    try {
      loadGatewayConfig(join(dir, 'settings.ini'), {});
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/settings\.ini:2:\d+: error HE702: .*scheme 'nats:\/\/' is not a known transport \(known: .*\)/);
    for (const scheme of SOURCES.flatMap((s) => s.schemes)) expect(message).toContain(`${scheme}://`);
    expect(message).not.toContain('secret');
    expect(unknownTransportMessage('no-scheme')).toContain('no scheme');
  });

  it("each source's and authenticator's options are in the schema the compiler and the gateway check against", () => {
    for (const s of SOURCES) for (const [name, spec] of Object.entries(s.options)) expect(SETTINGS_SCHEMA.MESSAGE_COLLECTOR![name]).toBe(spec);
    for (const a of AUTHENTICATORS) for (const [name, spec] of Object.entries(a.options)) expect(SETTINGS_SCHEMA.WEBSOCKET![name]).toBe(spec);
    expect(SETTINGS_SCHEMA.MESSAGE_COLLECTOR!.exchanges).toBeDefined();
    expect(SETTINGS_SCHEMA.WEBSOCKET!.jwt_secret).toBeDefined();
  });
});
