// The web app's HTTP server (`npm start`, `npm run dev`, the demo): Next.js's request handler, after
// two steps of our own for every request:
// - X-Forwarded-For becomes the one address of the client, as TRUST_PROXY's rules find it (those of
//   the API, server/client-address.mjs). Better Auth reads its client address from that header (its
//   sign-in limit counts per address), and the route handlers it runs in cannot see the socket; left
//   alone, a client could write any address there and get a fresh count each time.
// - The security headers (server/security-headers.mjs): no framing, nosniff, a CSP, and so on.
// `node server.mjs [--dev]`; HOST (default 127.0.0.1: loopback only) and PORT (default 3000).
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { clientAddress, trustProxy } from './server/client-address.mjs';
import { securityHeaders } from './server/security-headers.mjs';

const dev = process.argv.includes('--dev');
// Before Next.js loads: it reads NODE_ENV as it does under `next dev` / `next start`.
process.env.NODE_ENV ??= dev ? 'development' : 'production';
const { default: next } = await import('next');
const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 3000);
const trusted = trustProxy(process.env.TRUST_PROXY);
const headers = Object.entries(
  securityHeaders({ apiUrl: process.env.TASKS_API_URL || 'http://localhost:8000', dev }),
);

// lib/auth.ts refuses to serve without this: under plain `next start` the header is the client's.
globalThis[Symbol.for('tasks-web.client-address')] = true;

const app = next({ dev, hostname: host, port, dir: fileURLToPath(new URL('.', import.meta.url)) });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  req.headers['x-forwarded-for'] = clientAddress(
    req.socket.remoteAddress,
    req.headers['x-forwarded-for'],
    trusted,
  );
  for (const [name, value] of headers) res.setHeader(name, value);
  void handle(req, res);
});
server.listen(port, host, () => {
  console.log(
    `web app ready on http://${host.includes(':') ? `[${host}]` : host}:${port}${dev ? ' (dev)' : ''}`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    server.close();
    server.closeIdleConnections();
    void app.close().finally(() => process.exit(0));
  });
