// The gateway's configuration: settings.ini (optional) + HERALD_<SECTION>__<OPTION> overrides,
// checked against the schema, as one typed object. Problems are diagnostics, rendered like the
// compiler's (file:line:col: error CODE: message) so an operator gets the same quality of error.
import { readFileSync } from 'node:fs';
import { iniGet, readIni, type IniFile } from '../config/ini.js';
import { sourceForUrl, unknownTransportMessage } from '../sources/registry.js';
import { applyEnvironment, digestOfOption, optionOf, readRuntimeOptions, type SettingsProblem } from '../config/settings.js';
import type { PyValue } from '../semantics/pyvalue.js';
import type { Problem } from '../diagnostics/diagnostic.js';
import { SourceFile, spanAt } from '../diagnostics/source.js';
import { StartupCodes, StartupError } from '../diagnostics/startup.js';

/** The [MESSAGE_COLLECTOR] options every transport shares; a transport reads its own through `option`. */
export interface CollectorConfig {
  transportUrl: string;
  topics: string[];
  priorities: string[];
  maxMessageBytes: number;
  maxJsonDepth: number;
  dedupeSize: number;
  reconnectMaxSeconds: number;
  scaleOut: boolean;
}

/** The [WEBSOCKET] options of the server itself; authenticators read their own through `option`. */
export interface WebSocketConfig {
  host: string;
  port: number;
  path: string;
  allowedOrigins: string[];
  ingestToken: string | null;
  authTimeout: number;
  maxFrameBytes: number;
  replaySize: number;
  replaySeconds: number;
  maxConnectionsPerUser: number;
  maxConnections: number;
  maxBackpressure: number;
  maxBufferedBytes: number;
  idleTimeout: number;
  shutdownTimeout: number;
  allowJsFallback: boolean;
}

export interface GatewayConfig {
  /** The file it came from, or null for defaults and environment only. */
  path: string | null;
  collector: CollectorConfig;
  websocket: WebSocketConfig;
  /** Digest of the file's transformer list; null when the file has none. */
  transformerDigest: string | null;
  /** No broker configured: HTTP ingest and the live page. */
  embedded: boolean;
  /** Any option's checked value (a transport's or an authenticator's own options). */
  option(section: string, name: string): PyValue;
}

function problemOf(path: string | null, file: SourceFile, p: SettingsProblem): Problem {
  const at = p.start === undefined || path === null ? { origin: path ?? 'environment' } : { span: spanAt(file, p.start, p.end ?? p.start) };
  return { code: p.code, severity: 'error', message: p.message, notes: [], ...at };
}

/** Reads and checks the configuration; throws a StartupError listing every problem. */
export function loadGatewayConfig(path: string | null, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  let text = '';
  if (path !== null) {
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw StartupError.of(StartupCodes.FileNotFound, path, `cannot read the configuration: ${(e as Error).message}`);
    }
  }
  const ini = readIni({ text });
  const read = readRuntimeOptions(ini);
  const problems = [...read.problems, ...applyEnvironment(read.values, env)];
  let transformerDigest: string | null = null;
  if (read.transformer) {
    const d = digestOfOption(read.transformer);
    if ('problem' in d) problems.push(d.problem);
    else transformerDigest = d.digest;
  }
  if (problems.length) {
    const file = new SourceFile(path ?? 'environment', text);
    throw new StartupError(problems.map((p) => problemOf(path, file, p)));
  }
  const v = (section: string, option: string): PyValue => optionOf(read.values, section, option);
  const s = (section: string, option: string): string => String(v(section, option) ?? '');
  const sOrNull = (section: string, option: string): string | null => {
    const x = v(section, option);
    return x === null || x === '' ? null : String(x);
  };
  const n = (section: string, option: string): number => Number(v(section, option));
  const b = (section: string, option: string): boolean => v(section, option) === true;
  const list = (section: string, option: string): string[] => (v(section, option) as string[]).slice();
  const C = 'MESSAGE_COLLECTOR';
  const W = 'WEBSOCKET';
  const collector: CollectorConfig = {
    transportUrl: s(C, 'transport_url').trim(),
    topics: list(C, 'topics'),
    priorities: list(C, 'priorities'),
    maxMessageBytes: n(C, 'max_message_bytes'),
    maxJsonDepth: n(C, 'max_json_depth'),
    dedupeSize: n(C, 'dedupe_size'),
    reconnectMaxSeconds: n(C, 'reconnect_max_seconds'),
    scaleOut: b(C, 'scale_out'),
  };
  const websocket: WebSocketConfig = {
    host: s(W, 'host'),
    port: n(W, 'port'),
    path: s(W, 'path'),
    allowedOrigins: list(W, 'allowed_origins'),
    ingestToken: sOrNull(W, 'ingest_token'),
    authTimeout: n(W, 'auth_timeout'),
    maxFrameBytes: n(W, 'max_frame_bytes'),
    replaySize: n(W, 'replay_size'),
    replaySeconds: n(W, 'replay_seconds'),
    maxConnectionsPerUser: n(W, 'max_connections_per_user'),
    maxConnections: n(W, 'max_connections'),
    maxBackpressure: n(W, 'max_backpressure'),
    maxBufferedBytes: n(W, 'max_buffered_bytes'),
    idleTimeout: n(W, 'idle_timeout'),
    shutdownTimeout: n(W, 'shutdown_timeout'),
    allowJsFallback: b(W, 'allow_js_fallback'),
  };
  if (collector.transportUrl !== '') checkTransportUrl(collector.transportUrl, path, text, ini, env);
  return { path, collector, websocket, transformerDigest, embedded: collector.transportUrl === '', option: v };
}

/** A transport_url that cannot be read stops the start, pointing at the option (or its variable). */
function checkTransportUrl(url: string, path: string | null, text: string, ini: IniFile, env: NodeJS.ProcessEnv): void {
  const factory = sourceForUrl(url);
  const message = factory ? (factory.checkUrl?.(url) ?? null) : unknownTransportMessage(url);
  if (message === null) return;
  const option = iniGet(ini, 'MESSAGE_COLLECTOR', 'transport_url');
  if (path !== null && option && env.HERALD_MESSAGE_COLLECTOR__TRANSPORT_URL === undefined) throw StartupError.at(StartupCodes.BadTransportUrl, path, text, option.value.offsets[0] ?? option.nameStart, message);
  throw StartupError.of(StartupCodes.BadTransportUrl, path === null || option === undefined ? 'environment' : path, message);
}
