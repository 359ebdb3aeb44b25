import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ADAPTER = fileURLToPath(new URL('./express-adapter.ts', import.meta.url));

/**
 * V8's own view of a request and a response built by withPrototype, read in a child process (only
 * `--allow-natives-syntax` exposes it): after Express and a middleware have added what the app adds
 * (a plain property, symbol-keyed ones), are both still fast-mode objects, not dictionaries?
 */
const SCRIPT = `
  import http from 'node:http';
  import express from 'express';
  import { withPrototype } from ${JSON.stringify(ADAPTER)};
  const fast = new Function('o', 'return %HasFastProperties(o)');
  const app = express();
  app.use((req, res, next) => {
    req.id = 'r';
    req[Symbol('user')] = {};
    res[Symbol('startedAt')] = 1;
    res.setHeader('X-Request-Id', 'r');
    next();
  });
  app.get('/', (req, res) => {
    res.once('finish', () => {});
    res.json({ request: fast(req), response: fast(res), prototypes: Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response });
  });
  const server = http.createServer({ IncomingMessage: withPrototype(http.IncomingMessage, app.request), ServerResponse: withPrototype(http.ServerResponse, app.response) }, app);
  server.listen(0, '127.0.0.1', async () => {
    const url = 'http://127.0.0.1:' + server.address().port + '/';
    await fetch(url);
    process.stdout.write(await (await fetch(url)).text());
    server.close();
  });`;

describe('withPrototype', () => {
  it("builds requests and responses on the app's prototypes that V8 keeps as fast-mode objects", async () => {
    const { stdout } = await run(
      process.execPath,
      ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', SCRIPT],
      { timeout: 20_000 },
    );
    expect(JSON.parse(stdout)).toEqual({ request: true, response: true, prototypes: true });
  });
});
