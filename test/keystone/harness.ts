// A real Keystone for the tests: Debian's python3-keystone (installed when missing), started on
// 127.0.0.1 on a free port by shared/tools/keystone-up.sh in its own state dir, and the admin
// API calls the tests need (projects, users, role assignments, tokens, revocation).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { SHARED } from '../helpers.js';
import { freePort, sleep } from '../gateway/harness.js';

const TOOLS = join(SHARED, 'tools');
export const ADMIN_PASSWORD = 'adminpw';

/** Installs python3-keystone when missing (one apt-get at a time across test files). */
export function ensureKeystonePackage(): void {
  if (existsSync('/usr/bin/keystone-wsgi-public')) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const script = 'apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-keystone';
  execFileSync('flock', ['/tmp/herald-apt.lock', 'bash', '-c', script], { stdio: 'inherit', env, timeout: 900_000 });
}

export interface KeystoneUser {
  id: string;
  name: string;
  password: string;
}

export class Keystone {
  private adminToken = '';
  private roleIds = new Map<string, string>();

  constructor(
    readonly base: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/v3`;
  }

  private get env(): NodeJS.ProcessEnv {
    return { ...process.env, KEYSTONE_BASE: this.base, KEYSTONE_PORT: String(this.port), KEYSTONE_ADMIN_PW: ADMIN_PASSWORD, KEYSTONE_TIMEOUT: '120' };
  }

  /** keystone-up.sh: a fresh database, fernet keys, the admin bootstrap; returns when /v3 answers. */
  async up(): Promise<void> {
    execFileSync('bash', [join(TOOLS, 'keystone-up.sh')], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.adminToken = await this.token('admin', ADMIN_PASSWORD, { projectName: 'admin' });
  }

  /** Stops the server (keystone-down.sh); its database and keys stay for start(). */
  stop(): void {
    execFileSync('bash', [join(TOOLS, 'keystone-down.sh')], { env: { ...this.env, KEYSTONE_WIPE: '0' }, stdio: 'ignore' });
  }

  /** Starts the server again over the same database and fernet keys (keystone-up.sh would wipe them). */
  async start(): Promise<void> {
    const log = openSync(join(this.base, 'server.log'), 'a');
    const child = spawn('keystone-wsgi-public', ['--host', '127.0.0.1', '--port', String(this.port), '--', '--config-file', join(this.base, 'keystone.conf')], { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child.unref();
    writeFileSync(join(this.base, 'keystone.pid'), `${child.pid}\n`);
    const until = Date.now() + 120_000;
    while (!(await fetch(`${this.url}`).then((r) => r.ok, () => false))) {
      if (Date.now() > until) throw new Error(`keystone did not come back: ${this.serverLog().slice(-500)}`);
      await sleep(100);
    }
  }

  /** SIGSTOP / SIGCONT: a Keystone that accepts connections and never answers. */
  freeze(frozen: boolean): void {
    process.kill(this.pid(), frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Stops it and deletes its state dir. */
  down(): void {
    try {
      this.freeze(false);
    } catch {
      // not running
    }
    execFileSync('bash', [join(TOOLS, 'keystone-down.sh')], { env: { ...this.env, KEYSTONE_WIPE: '1' }, stdio: 'ignore' });
  }

  pid(): number {
    return Number(readFileSync(join(this.base, 'keystone.pid'), 'utf8').trim());
  }

  serverLog(): string {
    return readFileSync(join(this.base, 'server.log'), 'utf8');
  }

  /** Token validations Keystone itself logged (wsgiref writes one line per request to server.log). */
  validationRequests(): number {
    return this.serverLog().split('\n').filter((l) => /"GET \/v3\/auth\/tokens[ ?]/.test(l)).length;
  }

  /**
   * The validations logged so far, once the log has settled (no new line for 300 ms, 5 s at most):
   * the starting point of a count must not miss a line of an earlier request still being written.
   */
  async settledValidations(): Promise<number> {
    let n = this.validationRequests();
    for (let i = 0; i < 16; i++) {
      await new Promise((r) => setTimeout(r, 300));
      const now = this.validationRequests();
      if (now === n) return n;
      n = now;
    }
    return n;
  }

  /**
   * Validations logged since `before`, once the log has settled: wsgiref writes a request's line
   * after the response has gone out, so a count read at once can miss the last one. Waits (5 s at
   * most) until `expected` are there, then a little longer so an extra one would show too.
   */
  async validationsSince(before: number, expected: number): Promise<number> {
    for (let i = 0; i < 50 && this.validationRequests() - before < expected; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    return this.validationRequests() - before;
  }

  /** A password token; project-scoped when a project is given, else unscoped. */
  async token(name: string, password: string, scope: { projectId?: string; projectName?: string } = {}): Promise<string> {
    const project = scope.projectId ? { id: scope.projectId } : scope.projectName ? { name: scope.projectName, domain: { id: 'default' } } : undefined;
    const body = { auth: { identity: { methods: ['password'], password: { user: { name, domain: { id: 'default' }, password } } }, ...(project ? { scope: { project } } : {}) } };
    const r = await fetch(`${this.url}/auth/tokens?nocatalog`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const token = r.headers.get('x-subject-token');
    if (r.status !== 201 || !token) throw new Error(`token for ${name}: HTTP ${r.status} ${await r.text()}`);
    return token;
  }

  private async admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const r = await fetch(`${this.url}${path}`, { method, headers: { 'x-auth-token': this.adminToken, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (r.status >= 300) throw new Error(`${method} ${path}: HTTP ${r.status} ${await r.text()}`);
    return r.status === 204 ? {} : ((await r.json()) as Record<string, unknown>);
  }

  async createProject(name: string): Promise<string> {
    const r = await this.admin('POST', '/projects', { project: { name, domain_id: 'default' } });
    return (r.project as { id: string }).id;
  }

  async createUser(name: string, password = `${name}-pw`): Promise<KeystoneUser> {
    const r = await this.admin('POST', '/users', { user: { name, password, domain_id: 'default' } });
    return { id: (r.user as { id: string }).id, name, password };
  }

  async roleId(name: string): Promise<string> {
    if (!this.roleIds.has(name)) {
      const r = await this.admin('GET', `/roles?name=${encodeURIComponent(name)}`);
      const found = (r.roles as Array<{ id: string }>)[0]?.id ?? ((await this.admin('POST', '/roles', { role: { name } })).role as { id: string }).id;
      this.roleIds.set(name, found);
    }
    return this.roleIds.get(name)!;
  }

  async grant(projectId: string, userId: string, role = 'member'): Promise<void> {
    await this.admin('PUT', `/projects/${projectId}/users/${userId}/roles/${await this.roleId(role)}`);
  }

  /** A user with `role` in the project, and a token scoped to it. */
  async member(name: string, projectId: string, role = 'member'): Promise<KeystoneUser & { token: string }> {
    const user = await this.createUser(name);
    await this.grant(projectId, user.id, role);
    return { ...user, token: await this.token(user.name, user.password, { projectId }) };
  }

  /** DELETE /v3/auth/tokens: the token is revoked. */
  async revoke(token: string): Promise<void> {
    const r = await fetch(`${this.url}/auth/tokens`, { method: 'DELETE', headers: { 'x-auth-token': this.adminToken, 'x-subject-token': token } });
    if (r.status !== 204) throw new Error(`revoke: HTTP ${r.status}`);
  }

  async deleteUser(id: string): Promise<void> {
    await this.admin('DELETE', `/users/${id}`);
  }

  async disableUser(id: string): Promise<void> {
    await this.admin('PATCH', `/users/${id}`, { user: { enabled: false } });
  }

  async enableUser(id: string): Promise<void> {
    await this.admin('PATCH', `/users/${id}`, { user: { enabled: true } });
  }
}

/** A running Keystone in a fresh state dir on a free port. */
export async function startKeystone(): Promise<Keystone> {
  ensureKeystonePackage();
  if (spawnSync('/usr/bin/python3', ['-c', 'import keystone'], { stdio: 'ignore' }).status !== 0) throw new Error('python3-keystone is installed but does not import');
  const keystone = new Keystone(mkdtempSync(join(tmpdir(), 'herald-keystone-')), await freePort());
  await keystone.up();
  return keystone;
}

/**
 * TLS in front of Keystone (as a load balancer would put it): a self-signed certificate for
 * 127.0.0.1 made with openssl, and a TLS listener piping each connection to Keystone's port.
 */
export async function tlsFront(keystone: Keystone): Promise<{ url: string; cafile: string; close(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-keystone-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const server: TlsServer = createTlsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (client) => {
    const upstream = tcpConnect(keystone.port, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${port}/v3`,
    cafile: cert,
    close: () => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The two-tenant world both Keystone suites use: projects P and Q, alice a member of P, bob of Q. */
export async function startKeystoneWithTwoTenants(): Promise<{ ks: Keystone; P: string; Q: string; alice: KeystoneUser & { token: string }; bob: KeystoneUser & { token: string } }> {
  const ks = await startKeystone();
  const P = await ks.createProject('P');
  const Q = await ks.createProject('Q');
  return { ks, P, Q, alice: await ks.member('alice', P), bob: await ks.member('bob', Q) };
}
