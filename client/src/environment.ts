// The default environment: the browser's online/offline events and page visibility, or nothing
// (Node). Typed structurally so the library needs no DOM typings.
import type { Environment, EnvironmentEvents } from './types.js';

interface EventSource {
  addEventListener(type: string, fn: () => void): void;
  removeEventListener(type: string, fn: () => void): void;
}

export function browserEnvironment(): Environment {
  const g = globalThis as { window?: EventSource; document?: EventSource & { visibilityState?: string } };
  return {
    watch(e: EnvironmentEvents) {
      const win = g.window;
      const doc = g.document;
      if (!win?.addEventListener) return () => undefined;
      const online = (): void => e.online();
      const offline = (): void => e.offline();
      const visibility = (): void => {
        if (doc?.visibilityState === 'visible') e.visible();
      };
      win.addEventListener('online', online);
      win.addEventListener('offline', offline);
      doc?.addEventListener('visibilitychange', visibility);
      return () => {
        win.removeEventListener('online', online);
        win.removeEventListener('offline', offline);
        doc?.removeEventListener('visibilitychange', visibility);
      };
    },
  };
}
