import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres'; // extensionless: jest loads this file as CommonJS

/**
 * One PostgreSQL for the whole run: TEST_DATABASE_URL when set (CI, the compose Postgres),
 * otherwise an embedded server in a temporary folder, thrown away afterwards.
 * The app migrates it itself on first start (under an advisory lock).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    process.env.E2E_DATABASE_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'tasks-api-test-pg-'));
  await chmod(dir, 0o755); // as root, PostgreSQL runs as the `postgres` user and must reach it
  const db = await startEmbeddedPostgres(join(dir, 'data'), 'tasks_test', { persistent: false });
  process.env.E2E_DATABASE_URL = db.url;
  (globalThis as { __embeddedPg?: typeof db }).__embeddedPg = db;
}
