// npm run bench:framework — the fixed cost of the stack, before any of the app's own work: one
// trivial JSON route served by bare node:http, by Express 5, by NestJS 12 on platform-express, and
// the app's own GET /health/live (every global middleware, guard and filter; no database; its
// requests built on Express's prototypes, see src/http/express-adapter.ts). Prints
// req/s and the server's CPU time per request (Linux: /proc). Knobs: DURATION (s, default 8),
// CONNECTIONS (64).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { freePort } from '../src/development/embedded-postgres.js';
import { benchDatabase, startServer } from './lib.js';

const DURATION = Number(process.env.DURATION ?? 8);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 64);

/** One trivial NestJS app serving GET /health/live, made by `create` (after `imports`, before `setup`). */
function nestServer(create: string, imports = '', setup = ''): string {
  return `
    import 'reflect-metadata';
    import { Controller, Get, Module } from '@nestjs/common';
    import { NestFactory } from '@nestjs/core';
    ${imports}
    class Live { live() { return { status: 'ok' }; } }
    Reflect.decorate([Get('health/live')], Live.prototype, 'live', Object.getOwnPropertyDescriptor(Live.prototype, 'live'));
    Reflect.decorate([Controller()], Live);
    class App {}
    Reflect.decorate([Module({ controllers: [Live] })], App);
    const app = await ${create};
    ${setup}
    await app.listen(Number(process.env.PORT), '127.0.0.1');`;
}

const SERVERS: Record<string, string> = {
  'node:http': `
    import http from 'node:http';
    http.createServer((req, res) => {
      const body = JSON.stringify({ status: 'ok' });
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    }).listen(Number(process.env.PORT), '127.0.0.1');`,
  'express 5': `
    import express from 'express';
    const app = express();
    app.set('etag', false);
    app.get('/health/live', (req, res) => res.json({ status: 'ok' }));
    app.listen(Number(process.env.PORT), '127.0.0.1');`,
  // The app's own helper from the build (bench:framework builds first), not a copy of it.
  'express 5, requests on its prototypes': `
    import http from 'node:http';
    import express from 'express';
    import { withPrototype } from './dist/src/http/express-adapter.js';
    const app = express();
    app.set('etag', false);
    app.get('/health/live', (req, res) => res.json({ status: 'ok' }));
    http.createServer({ IncomingMessage: withPrototype(http.IncomingMessage, app.request),
      ServerResponse: withPrototype(http.ServerResponse, app.response) }, app).listen(Number(process.env.PORT), '127.0.0.1');`,
  'nestjs 12 (platform-express)': nestServer('NestFactory.create(App, { logger: false })'),
  // The same Nest app on the app's adapter (requests on Express's prototypes): what Nest itself
  // adds to Express, apart from the app's middleware, guards and filters.
  "nestjs 12, the app's ExpressHttpAdapter": nestServer(
    'NestFactory.create(App, new ExpressHttpAdapter(), { logger: false, bodyParser: false })',
    "import { ExpressHttpAdapter } from './dist/src/http/express-adapter.js';",
    "app.getHttpAdapter().getInstance().set('etag', false);",
  ),
};

/** CPU seconds (user + system) the process has used, or undefined off Linux. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
  } catch {
    return undefined;
  }
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

async function measure(name: string, url: string, pid: number | undefined): Promise<void> {
  await autocannon({ url, connections: CONNECTIONS, duration: 2 }); // warm-up
  const before = cpuSeconds(pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION });
  const after = cpuSeconds(pid);
  const perRequest =
    before === undefined || after === undefined
      ? '—'
      : `${Math.round(((after - before) * 1e6) / result.requests.total)}`;
  console.log(
    `| ${name.padEnd(38)} | ${String(Math.round(result.requests.average)).padStart(6)} | ${perRequest.padStart(11)} | ${String(result.non2xx + result.errors).padStart(6)} |`,
  );
}

console.log(`| ${'server (GET /health/live)'.padEnd(38)} |  req/s | CPU µs/req | errors |`);
console.log(`| ${'-'.repeat(38)} | -----: | ----------: | -----: |`);
for (const [name, code] of Object.entries(SERVERS)) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    env: { ...process.env, PORT: String(port), NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/health/live`;
  try {
    await waitFor(url, child);
    await measure(name, url, child.pid);
  } finally {
    child.kill('SIGTERM');
  }
}
const db = await benchDatabase();
const app = await startServer(db.url);
try {
  await measure('this app (all middleware, guards)', `${app.url}/health/live`, app.process.pid);
} finally {
  await app.stop();
  await db.stop();
}
