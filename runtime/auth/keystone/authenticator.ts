// Keystone tokens as Herald credentials: validated with GET /v3/auth/tokens, remembered by
// SHA-256 for a bounded time, one request per token however many sockets bring it at once,
// and re-checked while sockets hold it (watcher.ts). Refusals are remembered briefly and
// requests are bounded (limiter.ts), so garbage cannot make Herald flood Keystone.
import type { Logger } from '../../core/log.js';
import type { AuthFailure, AuthOutcome, Authenticator } from '../authenticator.js';
import type { TokenFacts, Validation } from './api.js';
import { ExpiringLru, tokenDigest } from './cache.js';
import { Limiter } from './limiter.js';
import type { KeystoneMetrics, Purpose } from './metrics.js';
import type { KeystoneSettings } from './options.js';
import { looksLikeKeystoneToken } from './shape.js';
import type { Validator } from './validator.js';
import { Watcher } from './watcher.js';

interface Vouched {
  facts: TokenFacts;
  until: number;
}

const fail = (code: AuthFailure['code'], message: string): AuthFailure => ({ ok: false, code, message });

export class KeystoneAuthenticator implements Authenticator {
  readonly kind = 'keystone';
  private readonly valid: ExpiringLru<Vouched>;
  private readonly refused: ExpiringLru<true>;
  private readonly inflight = new Map<string, Promise<Validation>>();
  private readonly limiter: Limiter;
  private readonly watcher: Watcher;
  private reachable = true;

  constructor(
    private readonly settings: KeystoneSettings,
    private readonly validate: Validator,
    private readonly metrics: KeystoneMetrics,
    private readonly log: Logger,
    private readonly onClose: () => void = () => undefined,
    /** ms since the epoch; tests move it to see cached validity run out. */
    private readonly clock: () => number = Date.now,
  ) {
    this.valid = new ExpiringLru(settings.cacheSize);
    this.refused = new ExpiringLru(settings.cacheSize);
    this.limiter = new Limiter(settings.maxConcurrent, settings.maxPending);
    this.watcher = new Watcher({
      intervalMs: settings.revalidateMs,
      cacheMs: settings.cacheMs,
      workers: Math.max(1, Math.floor(settings.maxConcurrent / 2)),
      check: (key, token) => this.ask(key, token, 'revalidate'),
      onChange: (n) => metrics.watched.set(n),
      onRevoked: () => metrics.revoked.inc(),
      clock,
    });
  }

  claims(token: string): boolean {
    return looksLikeKeystoneToken(token);
  }

  async authenticate(token: string): Promise<AuthOutcome> {
    const key = tokenDigest(token);
    const now = this.clock();
    const cached = this.valid.get(key, now);
    if (cached) {
      this.metrics.cacheHits.inc({ kind: 'valid' });
      return this.verdict(cached.facts);
    }
    if (this.refused.get(key, now)) {
      this.metrics.cacheHits.inc({ kind: 'refused' });
      this.metrics.failures.inc({ kind: 'refused' });
      return fail('auth_failed', 'Keystone does not accept this token');
    }
    const v = await this.ask(key, token, 'connect');
    if (v.kind === 'valid') return this.verdict(v.facts);
    this.metrics.failures.inc({ kind: v.kind === 'refused' ? 'refused' : v.reason });
    if (v.kind === 'refused') return fail('auth_failed', 'Keystone does not accept this token');
    return fail('auth_unavailable', `Keystone cannot check tokens now (${v.reason}); retry later`);
  }

  watch(token: string, onEnd: (failure: AuthFailure) => void): () => void {
    const key = tokenDigest(token);
    const vouched = this.valid.get(key, this.clock());
    // Without a cached answer (evicted), the next tick must confirm it before an outage may spare it.
    return this.watcher.watch(key, token, vouched?.until ?? 0, vouched?.facts.expiresAt ?? Number.POSITIVE_INFINITY, (failure) => {
      try {
        onEnd(failure);
      } catch (e) {
        this.log.error({ err: e }, 'keystone: ending a socket failed');
      }
    });
  }

  /** Runs one revalidation pass now (tests; the timer does it every keystone_revalidate_seconds). */
  revalidateNow(): Promise<void> {
    return this.watcher.tick();
  }

  async close(): Promise<void> {
    this.watcher.close();
    this.onClose();
  }

  private verdict(facts: TokenFacts): AuthOutcome {
    if (facts.expiresAt <= this.clock()) {
      this.metrics.failures.inc({ kind: 'expired' });
      return fail('token_expired', 'token expired');
    }
    const roles = this.settings.requiredRoles;
    if (roles.length > 0 && !facts.roles.some((r) => roles.includes(r))) {
      this.metrics.failures.inc({ kind: 'missing_role' });
      return fail('auth_failed', `token has none of the required roles (${roles.join(', ')})`);
    }
    return { ok: true, identity: { user: facts.user, projects: facts.project === null ? [] : [facts.project], expiresAt: facts.expiresAt, via: this.kind } };
  }

  /** One Keystone request per token at a time, whoever asks; the caches learn its answer. */
  private ask(key: string, token: string, purpose: Purpose): Promise<Validation> {
    const running = this.inflight.get(key);
    if (running) {
      if (purpose === 'connect') this.metrics.cacheHits.inc({ kind: 'joined' });
      return running;
    }
    const request = this.request(key, token, purpose).finally(() => this.inflight.delete(key));
    this.inflight.set(key, request);
    return request;
  }

  private async request(key: string, token: string, purpose: Purpose): Promise<Validation> {
    const timer = this.metrics.latency.startTimer({ purpose });
    // Revalidations are never turned away: their number is bounded by the sockets already open.
    const answer = await this.limiter.run(() => this.validate(token), purpose === 'connect');
    const v: Validation = answer ?? { kind: 'unavailable', reason: 'overloaded' };
    if (answer) {
      timer();
      this.metrics.validations.inc({ purpose, outcome: v.kind });
    }
    this.learn(key, v);
    return v;
  }

  private learn(key: string, v: Validation): void {
    const now = this.clock();
    if (v.kind === 'valid') {
      const until = Math.min(v.facts.expiresAt, now + this.settings.cacheMs);
      this.refused.delete(key);
      this.valid.set(key, { facts: v.facts, until }, until, now);
    } else if (v.kind === 'refused') {
      this.valid.delete(key);
      this.refused.set(key, true, now + this.settings.negativeMs, now);
    }
    this.noteReachability(v);
  }

  /** Logs Keystone going away and coming back once each, not once per socket. */
  private noteReachability(v: Validation): void {
    const reachable = v.kind !== 'unavailable' || v.reason === 'overloaded';
    if (reachable === this.reachable) return;
    this.reachable = reachable;
    if (reachable) this.log.info({ keystone: this.settings.url }, 'keystone: answering again');
    else this.log.warn({ keystone: this.settings.url, reason: v.kind === 'unavailable' ? v.reason : '' }, 'keystone: cannot validate tokens; new sockets get auth_unavailable, validated ones keep their cached validity');
  }
}
