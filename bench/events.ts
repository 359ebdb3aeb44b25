// npm run bench:events — what idle live-event streams cost one instance: the server's RSS before and
// after STREAMS (1000) idle streams are open (from STREAMS / 5 users: the per-user limit), and
// creates/s under autocannon (64 connections, DURATION s) without and with them open, alternating.
// DATABASE_URL picks the database; default: embedded.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { get, type ClientRequest } from 'node:http';
import { benchDatabase, startServer, tokenFor } from './lib.js';

const STREAMS = Number(process.env.STREAMS ?? 1000);
const DURATION = Number(process.env.DURATION ?? 8);
const db = await benchDatabase();
const server = await startServer(db.url, { WEB_CONCURRENCY: '1' });

const rssMiB = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.process.pid}/status`, 'utf8'))![1]) / 1024;
const settle = () => new Promise((resolve) => setTimeout(resolve, 3000));

async function creates(): Promise<number> {
  const result = await autocannon({
    url: `${server.url}/api/tasks`,
    method: 'POST',
    connections: 64,
    duration: DURATION,
    headers: {
      authorization: `Bearer ${tokenFor(server.secret, 'bench-events-writer')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ title: 'Benchmark task' }),
  });
  return Math.round(result.requests.average);
}

const open: ClientRequest[] = [];
try {
  await creates(); // warm-up
  await settle();
  const before = rssMiB();
  const without = [await creates()];
  for (let i = 0; i < STREAMS; i++) {
    const headers = {
      authorization: `Bearer ${tokenFor(server.secret, `bench-events-${Math.floor(i / 5)}`)}`,
    };
    await new Promise<void>((resolve, reject) => {
      const req = get(`${server.url}/api/tasks/events`, { headers, agent: false }, (res) =>
        res.statusCode === 200 ? resolve() : reject(new Error(`stream ${i}: ${res.statusCode}`)),
      );
      req.on('error', reject);
      open.push(req);
    });
  }
  await settle();
  const after = rssMiB();
  const withStreams = [await creates()];
  for (const req of open.splice(0)) req.destroy();
  await settle();
  without.push(await creates());
  console.log(`node ${process.version}, ${STREAMS} idle streams`);
  console.log(
    `server RSS: ${before.toFixed(1)} MiB before, ${after.toFixed(1)} MiB with them open (+${(after - before).toFixed(1)} MiB)`,
  );
  console.log(
    `creates/s without streams: ${without.join(', ')}; with ${STREAMS} streams open: ${withStreams[0]}`,
  );
} finally {
  for (const req of open) req.destroy();
  await server.stop();
  await db.stop();
}
