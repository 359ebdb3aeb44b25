import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { freePort } from '../../src/development/embedded-postgres.js';
import { TEST_SECRET, TEST_VAPID } from '../setup-env.js';
import { waitForReady } from './ready.js';
import { reapWhenThisProcessEnds } from './reaper.js';

export interface ServerProcess {
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<number | null>;
}

/** Servers spawned and not yet exited. */
const running = new Set<ChildProcessWithoutNullStreams>();

/**
 * Kills (SIGKILL) every server this test file spawned that still runs, and waits for them to exit:
 * `afterAll(stopServerProcesses)` in each file that spawns some, so that none outlives its test file
 * when a test failed or timed out before stopping its own. (Should the test process itself end first,
 * a reaper kills them then.)
 */
export async function stopServerProcesses(): Promise<void> {
  await Promise.all(
    [...running].map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return exited;
    }),
  );
}

/** The built server (`dist/main.js`, kept fresh by the global setup) in production, on `port`. */
function spawnServer(port: number, env: Record<string, string>): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: process.env.E2E_DATABASE_URL!,
      // Through PgBouncer when the run goes through one (TEST_POOLER, see global-setup.ts).
      ...(process.env.E2E_DB_POOL_MODE ? { DB_POOL_MODE: process.env.E2E_DB_POOL_MODE } : {}),
      BETTER_AUTH_SECRET: TEST_SECRET,
      LOG_LEVEL: 'info',
      // They may send any spec's webhook and push deliveries, to receivers on 127.0.0.1 (setup-env.ts),
      // push signed with the run's one VAPID key pair like every other app of the run.
      NOTIFY_ALLOW_PRIVATE: 'true',
      VAPID_PUBLIC_KEY: TEST_VAPID.publicKey,
      VAPID_PRIVATE_KEY: TEST_VAPID.privateKey,
      VAPID_SUBJECT: TEST_VAPID.subject,
      DELIVERY_RETRY_BASE_MS: '300',
      ...env,
    },
  });
  if (child.pid !== undefined) {
    running.add(child);
    const disarm = reapWhenThisProcessEnds({ pid: child.pid });
    child.once('exit', () => {
      running.delete(child);
      disarm();
    });
  }
  return child;
}

/**
 * Runs the built server against the test database. A port that freePort found free can be taken
 * by another process of the run before the server binds it (EADDRINUSE): then it tries another.
 */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawnServer(port, env);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForReady(url, child, 30_000, () => output);
      return { url, child, output: () => output, exited };
    } catch (err) {
      // Never leave a server behind that did not come up (it would outlive the test run).
      child.kill('SIGKILL');
      await exited;
      if (attempt < 3 && /EADDRINUSE/.test(output)) continue;
      throw err;
    }
  }
}

export interface ExitedProcess {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built server (same environment as `startServerProcess`) until it exits by itself. */
export async function runServerProcessToExit(
  env: Record<string, string> = {},
  timeoutMs = 25_000,
): Promise<ExitedProcess> {
  const child = spawnServer(await freePort(), env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // 'close', not 'exit': every byte of both pipes has been read by then.
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
