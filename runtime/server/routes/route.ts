// One HTTP route: a module per route group exports its routes; routes/index.ts lists them all.
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';

export interface Route {
  method: 'get' | 'post' | 'any';
  pattern: string;
  handle(res: HttpResponse, req: HttpRequest): void;
}
