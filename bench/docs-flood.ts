// npm run bench:docs — a flood of the OpenAPI document (GET /docs-yaml and /docs-json, 32
// connections, DURATION s) against the built server, while a prober sends GET /health/live on 2
// connections: prints the document's req/s and the probe's p50/p99. The contract asks that such a
// flood leave /health/live p99 under 50 ms.
import autocannon from 'autocannon';
import { benchDatabase, startServer } from './lib.js';

const DURATION = Number(process.env.DURATION ?? 10);
const db = await benchDatabase();
// RATE_LIMIT_IP_PER_MINUTE: 0 (the default here) measures the document's own cost; the service's
// default, 300, shows what one flooding address really gets (429 after the first 300).
const server = await startServer(db.url, {
  RATE_LIMIT_IP_PER_MINUTE: process.env.RATE_LIMIT_IP_PER_MINUTE ?? '0',
});

for (const path of ['/docs-yaml', '/docs-json']) {
  const [flood, probe] = await Promise.all([
    autocannon({ url: `${server.url}${path}`, connections: 32, duration: DURATION }),
    autocannon({ url: `${server.url}/health/live`, connections: 2, duration: DURATION }),
  ]);
  console.log(
    `${path}: ${Math.round(flood.requests.average)} req/s (${flood.non2xx} not 2xx); ` +
      `/health/live meanwhile: p50 ${probe.latency.p50} ms, p99 ${probe.latency.p99} ms, ${Math.round(probe.requests.average)} req/s`,
  );
}
await server.stop();
await db.stop();
