// The Kafka transport behind the source seam: `kafka://` transport URLs (oslo's hybrid messaging).
import type { SourceFactory } from '../registry.js';
import { KAFKA_OPTIONS, readKafkaConfig } from './options.js';
import { KafkaSource } from './source.js';
import { KafkaPushBus } from './bus.js';
import { KafkaUrlError, parseKafkaUrl } from './transport-url.js';

export const kafkaFactory: SourceFactory = {
  kind: 'kafka',
  schemes: ['kafka'],
  options: KAFKA_OPTIONS,
  // A bad URL is a start-up error at transport_url's line (HE702), like RabbitMQ's.
  checkUrl(url) {
    try {
      parseKafkaUrl(url);
      return null;
    } catch (e) {
      if (e instanceof KafkaUrlError) return e.message;
      throw e;
    }
  },
  async create(setup) {
    return new KafkaSource(readKafkaConfig(setup.transportUrl, setup.option), setup);
  },
  async createBus(setup) {
    return new KafkaPushBus(readKafkaConfig(setup.transportUrl, setup.option), setup);
  },
};
