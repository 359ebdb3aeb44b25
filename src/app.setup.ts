import { ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigService } from '@nestjs/config';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { corsOrigins, type Env } from './config/env.js';
import { isDocsPath, setupSwagger } from './docs/swagger.js';
import { ShutdownState } from './health/shutdown-state.js';
import { trustProxySetting } from './http/client-address.js';
import { limitConnectionsPerIp } from './http/connections-per-ip.js';
import { chain } from './http/chain.js';
import { ExpressHttpAdapter, limitSlowClients } from './http/express-adapter.js';
import { API_HEADERS, corsFor, PAGE_HEADERS, securityHeaders } from './http/response-headers.js';
import { limitUnsentResponses } from './http/unsent-responses.js';
import { PerIpLimit } from './rate-limit/per-ip.js';
import { ROOT_LOGGER } from './logging/logging.module.js';
import { requestLog } from './logging/request-log.js';
import type { Response } from 'express';

export const EXPOSED_HEADERS = ['X-Total-Count', 'Link', 'ETag', 'Location', 'X-Request-Id', 'Retry-After'];

/**
 * What the app needs beyond its modules: logger, security headers, CORS, slow-client and slow-reader
 * limits, Swagger.
 * main.ts and the e2e tests both call this, so the app under test is the app in production.
 */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get<ConfigService<Env, true>>(ConfigService);
  const adapter = app.getHttpAdapter();
  if (!(adapter instanceof ExpressHttpAdapter)) throw new Error('configureApp needs the ExpressHttpAdapter');
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // Who the client is behind proxies (TRUST_PROXY), for the per-IP limits below.
  app.set('trust proxy', trustProxySetting(config.get('TRUST_PROXY', { infer: true })));
  // Task responses carry their version as ETag; no hashing of other bodies.
  app.set('etag', false);
  const perIp = app.get(PerIpLimit);
  // Ahead of every route, in this order, as one Express layer (chain):
  app.use(
    chain(
      // first of all, so every response (CORS preflights, Swagger assets, errors) carries the id;
      requestLog(app.get<PinoLogger>(ROOT_LOGGER)),
      // helmet's full set on the explorer's pages, the REST set on every answer of the API (the
      // per-IP limit's 429 included);
      securityHeaders(isDocsPath, PAGE_HEADERS, API_HEADERS),
      // the per-IP limit of the requests no guard counts (PerIpLimit): ahead of every route and of
      // routing itself, those without a token and the docs (before the 404, unrouted ones with a
      // token: below). Never health probes; RateLimitGuard counts the rest;
      perIp.aheadOfRouting,
      // a listed origin gets CORS headers (credentials allowed); any other gets none at all.
      corsFor(corsOrigins({ CORS_ORIGINS: config.get('CORS_ORIGINS', { infer: true }) }), EXPOSED_HEADERS),
    ),
  );
  adapter.beforeNotFound(perIp.unrouted);
  const shutdown = app.get(ShutdownState);
  // Decided when the headers go out, so requests in flight at SIGTERM close their connection too.
  // Set on this app's response prototype (Express's way to extend responses): no per-request work.
  const expressApp = app.getHttpAdapter().getInstance();
  expressApp.response.writeHead = function closingWriteHead(this: ServerResponse, ...args: unknown[]) {
    if (shutdown.stopping) this.shouldKeepAlive = false;
    return ServerResponse.prototype.writeHead.apply(this, args as Parameters<ServerResponse['writeHead']>);
  } as Response['writeHead'];
  const server = app.getHttpServer();
  limitSlowClients(server, {
    HTTP_HEADERS_TIMEOUT_MS: config.get('HTTP_HEADERS_TIMEOUT_MS', { infer: true }),
    HTTP_REQUEST_TIMEOUT_MS: config.get('HTTP_REQUEST_TIMEOUT_MS', { infer: true }),
    HTTP_MAX_CONNECTIONS: config.get('HTTP_MAX_CONNECTIONS', { infer: true }),
  });
  // A connection's peer is a proxy when TRUST_PROXY would believe its X-Forwarded-For (Express's rule).
  const trusted = expressApp.get('trust proxy fn') as (address: string, hop: number) => boolean;
  limitConnectionsPerIp(server, config.get('HTTP_MAX_CONNECTIONS_PER_IP', { infer: true }), (address) =>
    trusted(address, 0),
  );
  limitUnsentResponses(expressApp.response, server, {
    HTTP_RESPONSE_TIMEOUT_MS: config.get('HTTP_RESPONSE_TIMEOUT_MS', { infer: true }),
    HTTP_UNSENT_MAX_MB: config.get('HTTP_UNSENT_MAX_MB', { infer: true }),
  });
  setupSwagger(app);
  return app;
}
