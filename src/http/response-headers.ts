import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import helmet, { type HelmetOptions } from 'helmet';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Framing refused, on pages and API answers alike: CSP's frame-ancestors, and X-Frame-Options for older browsers. */
const NO_FRAMING = {
  directives: { 'frame-ancestors': ["'none'"] },
  frameguard: { action: 'deny' },
} as const satisfies { directives: Record<string, string[]>; frameguard: HelmetOptions['frameguard'] };

/**
 * The security headers of the app's pages (the Swagger explorer under /docs): helmet's defaults,
 * with framing refused.
 */
export const PAGE_HEADERS: HelmetOptions = {
  contentSecurityPolicy: { directives: { ...NO_FRAMING.directives } },
  frameguard: NO_FRAMING.frameguard,
};

/**
 * The security headers of the API's own answers (JSON, problem details, CalDAV's XML and
 * iCalendar), which no browser renders as a page: the security headers OWASP's REST Security Cheat
 * Sheet lists but Cache-Control (a CSP that loads nothing and refuses framing, HSTS, nosniff,
 * X-Frame-Options), plus Referrer-Policy and Cross-Origin-Resource-Policy. helmet's headers that
 * only a rendered document uses (opener policy, origin-keyed agent clusters, DNS prefetch, IE's
 * download and XSS filters, Flash's cross-domain policies) are left out: six headers fewer on every
 * answer.
 */
export const API_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { 'default-src': ["'none'"], ...NO_FRAMING.directives },
  },
  frameguard: NO_FRAMING.frameguard,
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

/** The headers helmet sets with `options`, asked of helmet once. */
function helmetHeaders(options: HelmetOptions): [string, string][] {
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
  return headers;
}

/**
 * helmet's security headers: `pages` on the requests `isPage` says are for a page, `api` on every
 * other. With these options they depend on nothing of the request (no CSP nonce, no function
 * directive), so helmet is asked once per set and each response gets its list in one loop instead
 * of a dozen chained middleware calls. helmet stays the one that decides what they are.
 */
export function securityHeaders(
  isPage: (url: string) => boolean,
  pages: HelmetOptions,
  api: HelmetOptions,
): Middleware {
  const forPages = helmetHeaders(pages);
  const forApi = helmetHeaders(api);
  return (req, res, next) => {
    for (const [name, value] of isPage(req.url ?? '') ? forPages : forApi) res.setHeader(name, value);
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
