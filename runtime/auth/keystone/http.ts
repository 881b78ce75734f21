// One small HTTP(S) client for Keystone: keep-alive sockets, an optional CA bundle, a hard
// timeout per request and a cap on the body read. Failures come back as codes, never throws.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';

export type TransportFailure = 'timeout' | 'unreachable' | 'tls' | 'too_large';

export type HttpResult = { ok: true; status: number; headers: http.IncomingHttpHeaders; body: string } | { ok: false; failure: TransportFailure };

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Keystone's token bodies without the catalog are a few KiB; anything near this is not Keystone. */
const MAX_BODY_BYTES = 1 << 20;

/** Node's codes for a certificate it does not trust (wrong CA, name, expiry): a configuration problem. */
const TLS_ERROR = /CERT|TLS|SSL|SELF_SIGNED/;

export class KeystoneHttp {
  private readonly agent: http.Agent;
  private readonly secure: boolean;

  constructor(
    baseUrl: string,
    private readonly timeoutMs: number,
    cafile: string | null,
    maxSockets: number,
  ) {
    this.secure = baseUrl.startsWith('https:');
    const common = { keepAlive: true, maxSockets };
    this.agent = this.secure ? new https.Agent({ ...common, ...(cafile ? { ca: readFileSync(cafile) } : {}) }) : new http.Agent(common);
  }

  request(req: HttpRequest): Promise<HttpResult> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (r: HttpResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const send = this.secure ? https.request : http.request;
      const body = req.body === undefined ? undefined : Buffer.from(req.body);
      const headers = { accept: 'application/json', ...req.headers, ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}) };
      const outgoing = send(req.url, { method: req.method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) {
            outgoing.destroy();
            done({ ok: false, failure: 'too_large' });
          } else chunks.push(c);
        });
        res.on('end', () => done({ ok: true, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => done({ ok: false, failure: 'unreachable' }));
      });
      // One deadline for connect + answer: a Keystone that accepts and never answers is as down as one that refuses.
      const timer = setTimeout(() => {
        outgoing.destroy();
        done({ ok: false, failure: 'timeout' });
      }, this.timeoutMs);
      outgoing.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, failure: TLS_ERROR.test(e.code ?? '') ? 'tls' : 'unreachable' }));
      outgoing.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
