// What Keystone validation counts in /metrics. Labels are codes; a token never appears.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type Purpose = 'connect' | 'revalidate';

export function keystoneMetrics(registry: Registry) {
  const registers = [registry];
  return {
    /** Keystone requests made to validate a token, by why and what came back. */
    validations: new Counter({ name: 'herald_keystone_validations_total', help: 'Token validations asked of Keystone, by purpose (connect, revalidate) and outcome (valid, refused, unavailable)', labelNames: ['purpose', 'outcome'], registers }),
    /** Answers given without a Keystone request. */
    cacheHits: new Counter({ name: 'herald_keystone_cache_hits_total', help: 'Authentications answered without a Keystone request: valid (cached validation), refused (recently refused token), joined (a validation of the same token in flight)', labelNames: ['kind'], registers }),
    failures: new Counter({ name: 'herald_keystone_failures_total', help: 'Refused or unanswerable authentications, by kind (refused, missing_role, expired, timeout, unreachable, tls, http_error, bad_response, forbidden, service_auth, overloaded, too_large)', labelNames: ['kind'], registers }),
    latency: new Histogram({ name: 'herald_keystone_request_seconds', help: 'Time of one token validation request to Keystone', labelNames: ['purpose'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
    serviceTokens: new Counter({ name: 'herald_keystone_service_tokens_total', help: "Herald's own service token requests, by outcome (issued, unavailable)", labelNames: ['outcome'], registers }),
    revoked: new Counter({ name: 'herald_keystone_revoked_total', help: 'Watched tokens found no longer valid by a revalidation (their sockets are closed)', registers }),
    watched: new Gauge({ name: 'herald_keystone_watched_tokens', help: 'Distinct Keystone tokens with open sockets', registers }),
  };
}

export type KeystoneMetrics = ReturnType<typeof keystoneMetrics>;
