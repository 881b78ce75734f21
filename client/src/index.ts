// herald-client: the browser (and Node) side of Herald's WebSocket protocol.
import { HeraldClient, type ClientOptions } from './client.js';

export { HeraldClient, type ClientOptions, type ClientEvents } from './client.js';
export { backoffDelay, type Backoff } from './backoff.js';
export type { Clock, Environment, EnvironmentEvents, PushData, PushMeta, SocketConstructor, SocketLike, State, StateChange } from './types.js';

/** Creates a client and connects it. */
export function connectHerald(options: ClientOptions): HeraldClient {
  const client = new HeraldClient(options);
  client.connect();
  return client;
}
