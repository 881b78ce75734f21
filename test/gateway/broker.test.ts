// Every test that needs RabbitMQ, in one file: one broker (Debian's, installed when missing and
// started on 127.0.0.1), suites in turn, because some stop and restart it or kill gateways.
import { afterAll, beforeAll } from 'vitest';
import { ensurePackages, startRabbit, type Rabbit } from './harness.js';
import { useRabbit as forGateway } from './gateway.suite.js';
import { useRabbit as forScale } from './scale.suite.js';
import { useRabbit as forFaults } from './faults.suite.js';

let rabbit: Rabbit | undefined;

beforeAll(async () => {
  ensurePackages();
  rabbit = await startRabbit();
  forGateway(rabbit);
  forScale(rabbit);
  forFaults(rabbit);
}, 900_000);

afterAll(() => rabbit?.down());
