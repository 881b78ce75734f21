// A typed, minimal event emitter (the library has no dependencies, and Node's EventEmitter is not
// in browsers).

type Listener = (...args: never[]) => void;

export class Emitter<E extends { [K in keyof E]: Listener }> {
  private readonly listeners: { [K in keyof E]?: Set<E[K]> } = {};

  /** Listens to `event`; returns the function that stops listening. */
  on<K extends keyof E>(event: K, fn: E[K]): () => void {
    const set = (this.listeners[event] ??= new Set<E[K]>());
    set.add(fn);
    return () => void set.delete(fn);
  }

  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    for (const fn of this.listeners[event] ?? []) (fn as (...a: Parameters<E[K]>) => void)(...args);
  }
}
