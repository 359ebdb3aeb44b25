import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import webpush from 'web-push';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';

export const DEV_DATA_DIR = '.data';
export const DEV_SECRET_FILE = `${DEV_DATA_DIR}/dev-auth-secret`;
export const DEV_VAPID_FILE = `${DEV_DATA_DIR}/dev-vapid.json`;
/** The VAPID subject of the development key pair (push services want a way to reach the sender). */
const DEV_VAPID_SUBJECT = 'mailto:developer@localhost';
const DEV_URL_FILE = `${DEV_DATA_DIR}/postgres.url`;

/** The URL of an embedded server that is up (started by another process), if any. */
async function runningEmbeddedUrl(): Promise<string | undefined> {
  const file = resolve(DEV_URL_FILE);
  if (!existsSync(file) || !existsSync(resolve(`${DEV_DATA_DIR}/postgres/postmaster.pid`))) return undefined;
  const url = readFileSync(file, 'utf8').trim();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return url;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Outside production, a development secret generated once and kept in `.data/` (git-ignored),
 * so `npm start` and `npm run token` agree without any configuration.
 */
export function devAuthSecret(): string {
  const file = resolve(DEV_SECRET_FILE);
  if (!existsSync(file)) {
    mkdirSync(resolve(DEV_DATA_DIR), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * Outside production, a development VAPID key pair (Web Push) generated once and kept in `.data/`
 * (git-ignored), like the development secret: browsers keep their subscriptions across restarts.
 */
export function devVapidKeys(): { publicKey: string; privateKey: string } {
  const file = resolve(DEV_VAPID_FILE);
  if (!existsSync(file)) {
    mkdirSync(resolve(DEV_DATA_DIR), { recursive: true });
    writeFileSync(file, JSON.stringify(webpush.generateVAPIDKeys()), { mode: 0o600 });
  }
  return JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
}

/**
 * Zero-config first run (never in production): without BETTER_AUTH_SECRET (and no JWKS) a
 * generated development secret is used; without DATABASE_URL an embedded PostgreSQL starts
 * with its data in `.data/postgres` (as root, when the OS user `postgres` that the server then runs
 * as cannot enter the project folder, in /var/lib/tasks-api/postgres-<hash>, which `.data/postgres`
 * links to). Without any VAPID variable a generated development key pair turns Web Push on. Fills
 * in process.env and says what it did (and where the data is).
 */
export async function prepareDevEnvironment(
  env: NodeJS.ProcessEnv,
  say: (message: string) => void,
): Promise<EmbeddedDatabase | undefined> {
  if (env.NODE_ENV === 'production') return undefined;
  if (!env.BETTER_AUTH_SECRET && !env.BETTER_AUTH_URL && !env.JWT_JWKS_URL) {
    env.BETTER_AUTH_SECRET = devAuthSecret();
    say(
      `BETTER_AUTH_SECRET is not set: using a development secret from ${DEV_SECRET_FILE}. ` +
        "Get a token for it with `npm run token -- --sub alice`; set BETTER_AUTH_SECRET to the Better Auth frontend's secret to accept its tokens.",
    );
  }
  if (!env.VAPID_PUBLIC_KEY && !env.VAPID_PRIVATE_KEY && !env.VAPID_SUBJECT) {
    const keys = devVapidKeys();
    env.VAPID_PUBLIC_KEY = keys.publicKey;
    env.VAPID_PRIVATE_KEY = keys.privateKey;
    env.VAPID_SUBJECT = DEV_VAPID_SUBJECT;
    say(`VAPID_* are not set: Web Push uses a development key pair from ${DEV_VAPID_FILE}.`);
  }
  if (env.DATABASE_URL || env.NEON_DATABASE_URL) return undefined;
  // Another process (`npm start`, `npm run seed`) may be running the embedded server already: share it.
  const running = await runningEmbeddedUrl();
  if (running) {
    env.DATABASE_URL = running;
    say(`DATABASE_URL is not set: using the embedded PostgreSQL another process started (${DEV_URL_FILE})`);
    return undefined;
  }
  const started = Date.now();
  const db = await startEmbeddedPostgres(`${DEV_DATA_DIR}/postgres`, 'tasks');
  writeFileSync(resolve(DEV_URL_FILE), db.url, { mode: 0o600 });
  env.DATABASE_URL = db.url;
  say(
    `DATABASE_URL is not set: started an embedded PostgreSQL in ${Date.now() - started} ms, data in ${db.dataDir}` +
      `${db.note ? ` (${db.note})` : ''}. ` +
      'Set DATABASE_URL (e.g. postgresql://postgres:postgres@localhost:5432/tasks) to use a real database instead.',
  );
  return db;
}
