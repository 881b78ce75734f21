// oslo's Kafka transport_url: kafka://[user:pass@]host:port[,[user:pass@]host2:port]/[vhost].
// Credentials (SASL) come from the URL as oslo's driver takes them; the vhost only names topics.
export interface KafkaTarget {
  brokers: string[];
  vhost: string;
  username: string | null;
  password: string | null;
}

export class KafkaUrlError extends Error {}

export function parseKafkaUrl(url: string): KafkaTarget {
  const m = /^kafka:\/\/([^/]*)\/?(.*)$/i.exec(url.trim());
  if (!m) throw new KafkaUrlError(`transport_url ${JSON.stringify(url)} is not kafka://host:port[,host2:port]/[vhost]`);
  let username: string | null = null;
  let password: string | null = null;
  const brokers = m[1]!
    .split(',')
    .filter((h) => h !== '')
    .map((entry) => {
      const at = entry.lastIndexOf('@');
      const hostPort = at >= 0 ? entry.slice(at + 1) : entry;
      if (at >= 0) {
        const [u, p] = entry.slice(0, at).split(':');
        username = decodeURIComponent(u ?? '');
        password = p === undefined ? null : decodeURIComponent(p);
      }
      if (!/^(\[[0-9a-f:.]+\]|[^:[\]]+)(:\d+)?$/i.test(hostPort)) throw new KafkaUrlError(`transport_url host ${JSON.stringify(hostPort)} is not host:port`);
      return /:\d+$/.test(hostPort) ? hostPort : `${hostPort}:9092`;
    });
  if (!brokers.length) throw new KafkaUrlError(`transport_url ${JSON.stringify(url)} names no broker`);
  return { brokers, vhost: decodeURIComponent(m[2]!.split('?')[0]!), username, password };
}

/** What oslo's producer writes to: `<topic>.<priority>` with `.<vhost>` appended (wire.md §8). */
export function notificationTopics(topics: readonly string[], priorities: readonly string[], vhost: string): string[] {
  return topics.flatMap((t) => priorities.map((p) => (vhost ? `${t}.${p}.${vhost}` : `${t}.${p}`)));
}
