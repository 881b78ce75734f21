// oslo's transport_url -> one amqplib connection target per host, tried in turn:
// rabbit://user:pass@host1:5672,user:pass@host2:5672/vhost?ssl=1 (also amqp://, amqps://).
import type { BusTarget } from '../../bus/rabbitmq/bus.js';

/** One host of the transport_url: what a connection needs (the push bus takes the same), and whether it is TLS. */
export interface BrokerTarget extends BusTarget {
  tls: boolean;
}

export class TransportUrlError extends Error {}

const TRUE = new Set(['1', 'true', 'yes', 'on']);

export function parseTransportUrl(url: string): BrokerTarget[] {
  const m = /^(rabbit|amqp|amqps):\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/.exec(url.trim());
  if (!m) throw new TransportUrlError(`transport_url must look like rabbit://user:pass@host:5672/vhost, not ${JSON.stringify(url.replace(/:[^:@/]*@/g, ':***@'))}`);
  const [, scheme, hosts, vhostRaw, query] = m;
  const params = new URLSearchParams(query ?? '');
  const tls = scheme === 'amqps' || TRUE.has((params.get('ssl') ?? '').toLowerCase());
  // oslo: an empty path means the default vhost '/'.
  const vhost = vhostRaw ? decodeURIComponent(vhostRaw) : '/';
  const heartbeat = Number(params.get('heartbeat') ?? 30);
  return hosts!.split(',').map((h) => {
    const at = h.lastIndexOf('@');
    const creds = at >= 0 ? h.slice(0, at) : '';
    const hostPort = at >= 0 ? h.slice(at + 1) : h;
    const colon = creds.indexOf(':');
    const username = decodeURIComponent(colon >= 0 ? creds.slice(0, colon) : creds) || 'guest';
    const password = decodeURIComponent(colon >= 0 ? creds.slice(colon + 1) : '') || 'guest';
    const hp = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(hostPort);
    if (!hp || !hp[1]) throw new TransportUrlError(`transport_url has a host without a name: ${JSON.stringify(hostPort)}`);
    const hostname = hp[1].replace(/^\[|\]$/g, '');
    const port = hp[2] ? Number(hp[2]) : tls ? 5671 : 5672;
    return { options: { protocol: tls ? 'amqps' : 'amqp', hostname, port, username, password, vhost, heartbeat }, label: `${hostname}:${port}`, tls };
  });
}
