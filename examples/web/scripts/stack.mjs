// The whole thing on one machine: the Tasks API (the repository's root) and this web app (Better
// Auth + Next.js), each told about the other: the API trusts Better Auth's JWKS at the web app's
// origin and lets that origin through CORS; the web app calls the API at its address.
// Used by `npm run demo` (scripts/demo.mjs) and by the browser tests (e2e/).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const API_DIR = join(WEB_DIR, '..', '..');

/** A free TCP port on the loopback interface. */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

/** Runs a command to completion in `cwd`, its output passed through; throws on failure. */
export function run(command, args, cwd, env = process.env) {
  const result = spawnSync(command, args, { cwd, env, stdio: 'inherit' });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed with ${result.status}`);
}

/**
 * Installs what is missing (`install`) and builds both: the API (`npm run build`) and the web app
 * (`next build`). npm installs the typed client as a copy of ../../clients/typescript (.npmrc
 * `install-links`), not a link, so that it resolves its own imports from here; the copy is taken
 * again on every prepare, so the app always builds against the client of this checkout.
 */
export function prepare({ install = true } = {}) {
  if (install && !existsSync(join(API_DIR, 'node_modules')))
    run('npm', ['ci', '--no-audit', '--no-fund'], API_DIR);
  if (install && !existsSync(join(WEB_DIR, 'node_modules')))
    run('npm', ['ci', '--no-audit', '--no-fund'], WEB_DIR);
  const client = join(WEB_DIR, 'node_modules', '@tasks-api', 'client', 'src');
  rmSync(client, { recursive: true, force: true });
  cpSync(join(API_DIR, 'clients', 'typescript', 'src'), client, { recursive: true });
  run('npm', ['run', '-s', 'build'], API_DIR);
  run('npx', ['next', 'build'], WEB_DIR, { ...process.env, NEXT_TELEMETRY_DISABLED: '1' });
}

/** The secret Better Auth signs its cookies with: BETTER_AUTH_SECRET, else one generated once in .data/. */
function webSecret() {
  if (process.env.BETTER_AUTH_SECRET) return process.env.BETTER_AUTH_SECRET;
  const file = join(WEB_DIR, '.data', 'auth-secret');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const exited = (child) => child.exitCode !== null || child.signalCode !== null;

/** Every server startStack() started and no stop() has stopped yet, newest last. */
const running = [];

/** Stops every server started here (newest first: the web app, then the API and its database). */
export async function stopAll() {
  while (running.length) await stopChild(running.pop());
}

async function waitFor(url, child, name, log, timeoutMs = 120_000) {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode} before it answered ${url}\n${log.text()}`);
    const status = await fetch(url).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() - started > timeoutMs)
      throw new Error(`${name} did not answer ${url} within ${timeoutMs} ms\n${log.text()}`);
    await sleep(250);
  }
}

/** Keeps a child's output: echoed with a prefix (`echo`), and its last lines for error messages. */
function capture(child, prefix, echo) {
  const lines = [];
  const take = (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > 60) lines.shift();
      if (echo) process.stdout.write(`${prefix} ${line}\n`);
    }
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  return { text: () => lines.join('\n') };
}

function stopChild(child) {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Where both servers listen: HOST, else the loopback interface only. */
const listenHost = () => process.env.HOST || '127.0.0.1';

/**
 * The API's environment in the demo: this one's, with the API's port, HOST (else loopback only), the
 * database, and trust in the web app's Better Auth alone: its JWKS at `webOrigin`, which is also
 * `iss` and `aud`, each given explicitly, and never a shared secret: BETTER_AUTH_SECRET is given
 * empty, which the API reads as unset, and which an API `.env` cannot fill in (real variables win).
 * So a secret there, or in this environment, does not reach the demo's API. `extra` last.
 */
export function apiEnvironment(env, { apiPort, webOrigin, databaseUrl, extra = {} }) {
  return {
    ...env,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    HOST: env.HOST || '127.0.0.1',
    PORT: String(apiPort),
    BETTER_AUTH_SECRET: '',
    BETTER_AUTH_URL: webOrigin,
    JWT_JWKS_URL: `${webOrigin}/api/auth/jwks`,
    JWT_ISSUER: webOrigin,
    JWT_AUDIENCE: webOrigin,
    // ...and let the web app's pages call the API.
    CORS_ORIGINS: webOrigin,
    ...extra,
  };
}

/**
 * Starts the API on `apiPort` and the web app on `webPort` (both built by prepare()), and resolves
 * once both answer. Without `databaseUrl` the API starts its embedded PostgreSQL (as `npm start`
 * does) and Better Auth's tables go into the same one. Better Auth's tables live in the schema
 * `auth`, the tasks in `public`. Both listen on HOST, else on 127.0.0.1 only. `apiEnv`, `webEnv`:
 * more settings for each; `apiDir`: the API's working folder (its `.env` and `.data/`).
 */
export async function startStack({
  apiPort = 8000,
  webPort = 3000,
  databaseUrl,
  echo = false,
  apiEnv = {},
  webEnv = {},
  apiDir = API_DIR,
} = {}) {
  const webOrigin = `http://localhost:${webPort}`;
  const apiUrl = `http://localhost:${apiPort}`;
  const children = [];
  const stop = async () => {
    // The web app first (it holds connections to the API's database), then the API (and with it
    // the embedded PostgreSQL).
    for (const child of [...children].reverse()) {
      const at = running.indexOf(child);
      if (at >= 0) running.splice(at, 1);
      await stopChild(child);
    }
  };
  try {
    const api = spawn(process.execPath, [join(API_DIR, 'dist', 'main.js')], {
      cwd: apiDir,
      env: apiEnvironment(process.env, { apiPort, webOrigin, databaseUrl, extra: apiEnv }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(api);
    running.push(api);
    const apiLog = capture(api, '[api]', echo);
    await waitFor(`${apiUrl}/health/ready`, api, 'the API', apiLog);

    // Without DATABASE_URL, the embedded PostgreSQL the API started: its URL is in the API's .data/.
    const dbUrl = databaseUrl ?? readFileSync(join(apiDir, '.data', 'postgres.url'), 'utf8').trim();
    const web = spawn(process.execPath, [join(WEB_DIR, 'server.mjs')], {
      cwd: WEB_DIR,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        HOST: listenHost(),
        PORT: String(webPort),
        DATABASE_URL: dbUrl,
        BETTER_AUTH_URL: webOrigin,
        BETTER_AUTH_SECRET: webSecret(),
        TASKS_API_URL: apiUrl,
        ...webEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(web);
    running.push(web);
    const webLog = capture(web, '[web]', echo);
    await waitFor(`${webOrigin}/api/auth/jwks`, web, 'the web app', webLog);
    // Resolves when either stops by itself (not through stop()), naming it and its last output.
    const exited = new Promise((resolve) => {
      api.once('exit', (code) => resolve(`the API exited with ${code}\n${apiLog.text()}`));
      web.once('exit', (code) => resolve(`the web app exited with ${code}\n${webLog.text()}`));
    });
    return { apiUrl, webOrigin, stop, exited, logs: { api: apiLog, web: webLog } };
  } catch (err) {
    await stop();
    throw err;
  }
}
