// Every refusal the HTTP side makes, as data (fastify's errors: code, message template, status).
// Call sites pick a record and give its arguments; the code is the JSON answer's `code` and the
// metric label, the words are for people.

export interface HttpError {
  code: string;
  status: number;
  /** `{name}` is replaced by the argument of that name. */
  template: string;
}

export const HTTP_ERRORS = {
  shuttingDown: { code: 'shutting_down', status: 503, template: 'shutting down' },
  connectionLimit: { code: 'connection_limit', status: 503, template: 'connection limit reached' },
  tokenInQuery: { code: 'token_in_query', status: 400, template: 'tokens in the query string are refused: use the Authorization header or an auth frame' },
  originRefused: { code: 'origin_refused', status: 403, template: 'origin {origin} is not allowed' },
  ingestDisabled: { code: 'ingest_disabled', status: 404, template: 'ingest is disabled: set ingest_token in [WEBSOCKET]' },
  ingestUnauthorized: { code: 'ingest_unauthorized', status: 401, template: 'ingest needs Authorization: Bearer <ingest_token>' },
  tooBig: { code: 'too_big', status: 413, template: 'body over {limit}' },
  devTokensDisabled: { code: 'dev_tokens_disabled', status: 404, template: 'development tokens exist only in embedded mode with no JWT key configured' },
  badDevTokenRequest: { code: 'bad_request', status: 400, template: 'send {"sub": "<user id>", "projects": [...]}' },
  noRoute: { code: 'no_route', status: 404, template: 'no such route' },
  badSubprotocol: { code: 'bad_subprotocol', status: 400, template: 'this server speaks {protocols} (offered: {offered})' },
} as const satisfies Record<string, HttpError>;

export function messageOf(e: HttpError, args: Readonly<Record<string, string | number>> = {}): string {
  return e.template.replace(/\{(\w+)\}/g, (all: string, name: string) => (name in args ? String(args[name]) : all));
}
