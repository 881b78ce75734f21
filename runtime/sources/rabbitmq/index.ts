// RabbitMQ (oslo's rabbit:// transport_url): the notification source, and the push bus for
// scale-out over the same broker.
import type { SourceFactory, SourceSetup } from '../registry.js';
import { RABBITMQ_OPTIONS } from './options.js';
import { parseTransportUrl, TransportUrlError } from './transport-url.js';
import { RabbitSource, type RabbitSettings } from './source.js';
import { RabbitPushBus } from '../../bus/rabbitmq/bus.js';

function settingsOf(setup: SourceSetup): RabbitSettings {
  const str = (name: string): string => String(setup.option(name) ?? '');
  const list = (name: string): string[] => (setup.option(name) as string[]).slice();
  return {
    targets: parseTransportUrl(setup.transportUrl),
    exchanges: list('exchanges'),
    topics: list('topics'),
    priorities: list('priorities'),
    queue: str('queue'),
    deadLetterExchange: str('dead_letter_exchange'),
    durableQueues: setup.option('durable_queues') === true,
    quorumQueue: setup.option('quorum_queue') === true,
    autoDelete: setup.option('auto_delete') === true,
    prefetch: Number(setup.option('prefetch')),
    reconnectMaxSeconds: Number(setup.option('reconnect_max_seconds')),
  };
}

export const rabbitmqFactory: SourceFactory = {
  kind: 'rabbitmq',
  schemes: ['rabbit', 'amqp', 'amqps'],
  options: RABBITMQ_OPTIONS,
  checkUrl(url) {
    try {
      parseTransportUrl(url);
      return null;
    } catch (e) {
      if (e instanceof TransportUrlError) return e.message;
      throw e;
    }
  },
  create: async (setup) => new RabbitSource(settingsOf(setup), setup.log, setup.events),
  createBus: async (setup) =>
    new RabbitPushBus({ targets: parseTransportUrl(setup.transportUrl), exchange: String(setup.option('push_exchange')), reconnectMaxSeconds: Number(setup.option('reconnect_max_seconds')) }, setup.log),
};
