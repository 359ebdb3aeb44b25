import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import helmet, { type HelmetOptions } from 'helmet';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * helmet's security headers, asked of helmet once: with these options they depend on nothing of the
 * request (no CSP nonce, no function directive), so each response gets the same list set in one loop
 * instead of a dozen chained middleware calls. helmet stays the one that decides what they are.
 */
export function securityHeaders(options: HelmetOptions): Middleware {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) =>
      headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let done = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error('helmet refused its options');
    done = true;
  });
  if (!done) throw new Error('helmet did not set its headers at once');
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/**
 * CORS for the listed origins (credentials allowed); a request from any other origin, or with no
 * Origin at all (same-origin pages, servers, native apps), gets no Access-Control-* header, not even
 * Access-Control-Allow-Credentials (which the cors package would send to everyone), and does not go
 * through the cors package at all.
 */
export function corsFor(origins: Iterable<string>, exposedHeaders: string[]): Middleware {
  const allowed = new Set(origins);
  const withCors = cors({ origin: true, credentials: true, exposedHeaders, maxAge: 600 });
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return next();
    withCors(req, res, next);
  };
}
