import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startThrowawayPostgres } from '../src/development/embedded-postgres'; // extensionless: jest loads this file as CommonJS
import globalTeardown from './global-teardown';
import { MISSING_PGBOUNCER, PGBOUNCER_BIN, startPgBouncer } from './helpers/pgbouncer';

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
 *
 * With TEST_POOLER=pgbouncer the apps reach it through a throw-away PgBouncer in transaction mode
 * (DB_POOL_MODE=transaction), as on Neon's pooled endpoint; E2E_DIRECT_DATABASE_URL stays direct.
 */
export default async function globalSetup(): Promise<void> {
  ensureBuilt();
  const globals = globalThis as {
    __embeddedPg?: { stop(): Promise<void> };
    __pgbouncer?: { destroy(): Promise<void> };
  };
  try {
    let direct = process.env.TEST_DATABASE_URL;
    if (!direct) {
      const db = await startThrowawayPostgres('tasks_test');
      globals.__embeddedPg = db;
      direct = db.url;
    }
    process.env.E2E_DIRECT_DATABASE_URL = direct;
    process.env.E2E_DATABASE_URL = direct;
    if (process.env.TEST_POOLER === 'pgbouncer') {
      if (!PGBOUNCER_BIN) throw new Error(MISSING_PGBOUNCER);
      const pooler = await startPgBouncer(direct);
      globals.__pgbouncer = pooler;
      process.env.E2E_DATABASE_URL = pooler.url(direct);
      process.env.E2E_DB_POOL_MODE = 'transaction';
      console.log(`\nThrough PgBouncer (transaction mode) on port ${pooler.port}`);
    } else if (process.env.TEST_POOLER) {
      throw new Error(`TEST_POOLER=${process.env.TEST_POOLER}: the only pooler the tests know is pgbouncer`);
    }
  } catch (err) {
    // jest runs no global teardown after a failed global setup: stop what was started here.
    await globalTeardown();
    throw err;
  }
}
