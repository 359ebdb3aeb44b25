import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express, Request, RequestHandler, Response } from 'express';

/**
 * Constructors for Node's request and response objects that give them this Express app's
 * prototypes from birth. Express moves every request and response onto its own prototypes
 * (`Object.setPrototypeOf` in `app.handle`); on Node 20 (V8 11) that move is a large share of a
 * request's CPU, because V8 then handles both objects on its slow paths for the rest of the
 * request (bench/README.md has the numbers). Created with the right prototype, the move is a no-op.
 * The overloads say what TypeScript cannot infer of a function whose `prototype` is set at run time:
 * given Express's request (response) prototype, which extends Node's, it constructs what Node's own
 * class does.
 */
export function withPrototype(base: typeof IncomingMessage, prototype: Request): typeof IncomingMessage;
export function withPrototype(base: typeof ServerResponse, prototype: Response): typeof ServerResponse;
export function withPrototype(base: Function, prototype: object): Function {
  function Constructed(this: Record<string, unknown>, ...args: unknown[]) {
    Reflect.apply(base, this, args);
    // Never runs: room for properties. V8 gives a constructor's objects as many in-object property
    // slots as its source has `this.x =` assignments. Node's constructors, applied to `this` here,
    // add some forty properties to an object sized for none; past a dozen out-of-object ones, the
    // first symbol-keyed store turns it into a dictionary-mode object: slow property access, and
    // hash tables allocated as properties are added (a get allocated 66 KB, now 59; bench/README.md,
    // round five). With these 32 slots both stay fast to the end of the request
    // (express-adapter.spec.ts).
    if (args.length < 0) {
      this.s0 = this.s1 = this.s2 = this.s3 = this.s4 = this.s5 = this.s6 = this.s7 = undefined;
      this.s8 = this.s9 = this.s10 = this.s11 = this.s12 = this.s13 = this.s14 = this.s15 = undefined;
      this.s16 = this.s17 = this.s18 = this.s19 = this.s20 = this.s21 = this.s22 = this.s23 = undefined;
      this.s24 = this.s25 = this.s26 = this.s27 = this.s28 = this.s29 = this.s30 = this.s31 = undefined;
    }
  }
  Constructed.prototype = prototype;
  return Constructed;
}

/**
 * Nest's Express adapter with two changes: its HTTP server builds requests and responses on this
 * app's Express prototypes (see withPrototype; HTTPS and Nest's own connection-tracking options fall
 * back to the stock server), and its not-found handler can run a handler of the app's first
 * (beforeNotFound).
 */
export class ExpressHttpAdapter extends ExpressAdapter {
  private notFoundGate?: RequestHandler;

  /**
   * Runs `gate` ahead of the 404 of every request no route matched, as fastify's not-found handler
   * takes a preHandler: an error it passes on is answered instead. Set before the app's init, which
   * installs the not-found handler once every route is registered.
   */
  beforeNotFound(gate: RequestHandler): void {
    this.notFoundGate = gate;
  }

  override setNotFoundHandler(
    handler: RequestHandler,
    prefix?: string,
    excludedRoutes?: Parameters<ExpressAdapter['setNotFoundHandler']>[2],
  ): void {
    const gate = this.notFoundGate;
    const gated: RequestHandler = gate
      ? (req, res, next) => gate(req, res, (err?: unknown) => (err ? next(err) : handler(req, res, next)))
      : handler;
    super.setNotFoundHandler(gated, prefix, excludedRoutes);
  }

  override initHttpServer(options: NestApplicationOptions): void {
    if (options?.httpsOptions || options?.forceCloseConnections || options?.return503OnClosing) {
      super.initHttpServer(options);
      return;
    }
    const app = this.getInstance<Express>();
    this.httpServer = createServer(
      {
        IncomingMessage: withPrototype(IncomingMessage, app.request),
        ServerResponse: withPrototype(ServerResponse, app.response),
        // How often Node checks headersTimeout/requestTimeout (limitSlowClients sets them): every
        // second, so a slow client is cut within a second of its limit (Node's default: 30 s).
        connectionsCheckingInterval: 1000,
      },
      app,
    );
  }
}

export interface HttpLimits {
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_MAX_CONNECTIONS: number;
}

/**
 * Slow clients cannot hold the server: the headers must arrive within HTTP_HEADERS_TIMEOUT_MS and
 * the whole request within HTTP_REQUEST_TIMEOUT_MS (Node answers 408 and closes), and at most
 * HTTP_MAX_CONNECTIONS connections are open at once (more are closed as they arrive).
 */
export function limitSlowClients(server: Server, limits: HttpLimits): void {
  server.headersTimeout = limits.HTTP_HEADERS_TIMEOUT_MS;
  server.requestTimeout = limits.HTTP_REQUEST_TIMEOUT_MS;
  server.maxConnections = limits.HTTP_MAX_CONNECTIONS;
}
