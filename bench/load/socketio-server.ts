// The peer for the `peer` group: a Socket.IO 4 server doing Herald's job the idiomatic way.
// WebSocket transport only, the same HS256 JWT checked in a middleware (jose, as Herald), a room
// per user and per project, POST /v1/notifications (Bearer ingest token) emitting what Herald's
// volume rule emits to the rooms it names. argv[2]: {port, secret, ingestToken}. Prints {port} when listening.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server } from 'socket.io';
import { jwtVerify } from 'jose';
import { readPlan } from './plan.js';

const plan = readPlan<{ port: number; secret: string; ingestToken: string }>();
const key = new TextEncoder().encode(plan.secret);
let seq = 0;

const http = createServer((req, res) => void route(req, res));
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false, pingInterval: 600_000, pingTimeout: 300_000 });

io.use((socket, next) => {
  const token = (socket.handshake.auth as { token?: unknown }).token;
  if (typeof token !== 'string') return next(new Error('auth_failed'));
  jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] }).then(
    ({ payload }) => {
      if (typeof payload.sub !== 'string' || payload.sub === '') return next(new Error('auth_failed'));
      const projects = Array.isArray(payload.projects) ? payload.projects.filter((p): p is string => typeof p === 'string' && p !== '') : [];
      void socket.join([`user:${payload.sub}`, ...projects.map((p) => `project:${p}`)]);
      next();
    },
    () => next(new Error('auth_failed')),
  );
});

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'GET' && req.url === '/healthz') return void res.end('ok');
  if (req.method !== 'POST' || req.url !== '/v1/notifications') return void res.writeHead(404).end();
  if (req.headers.authorization !== `Bearer ${plan.ingestToken}`) return void res.writeHead(401).end();
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  // One notification or an array of them, as Herald's ingest takes them. What Herald's committed
  // volume rule does (rules/settings.ini): the volume's project and its user hear the same message.
  type Notification = { event_type: string; payload: { tenant_id: string; user_id: string; volume_id: string; display_name: string; status: string } };
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Notification | Notification[];
  const all = Array.isArray(body) ? body : [body];
  for (const { event_type, payload: p } of all) {
    const message = { resource_id: p.volume_id, name: p.display_name, state: p.status, event: event_type, option: 'reload' };
    io.to([`project:${p.tenant_id}`, `user:${p.user_id}`]).emit('push', { type: 'push', seq: ++seq, data: { message_event: 'STATES', message_type: 'volume', message } });
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: all.map(() => ({ pushes: 1 })) }));
}

http.listen(plan.port, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: plan.port }) + '\n'));
process.on('SIGTERM', () => process.exit(0));
