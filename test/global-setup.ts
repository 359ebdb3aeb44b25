import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startThrowawayPostgres } from '../src/database/embedded-postgres'; // extensionless: jest loads this file as CommonJS

const newestMtime = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
    const path = join(dir, entry.name);
    return Math.max(max, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }, 0);

/** The process tests run the built server: build it when dist/ is missing or older than the sources. */
function ensureBuilt(): void {
  const built = existsSync('dist/main.js') ? statSync('dist/main.js').mtimeMs : 0;
  if (built >= Math.max(newestMtime('src'), newestMtime('migrations'))) return;
  execSync('npm run -s build', { stdio: 'inherit' });
}

/**
 * One PostgreSQL for the whole run: TEST_DATABASE_URL when set (CI, the compose Postgres),
 * otherwise an embedded server in a temporary folder, thrown away afterwards.
 * The app migrates it itself on first start (under an advisory lock).
 */
export default async function globalSetup(): Promise<void> {
  ensureBuilt();
  if (process.env.TEST_DATABASE_URL) {
    process.env.E2E_DATABASE_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const db = await startThrowawayPostgres('tasks_test');
  process.env.E2E_DATABASE_URL = db.url;
  (globalThis as { __embeddedPg?: typeof db }).__embeddedPg = db;
}
