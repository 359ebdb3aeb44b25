import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource, MigrationExecutor } from 'typeorm';
import type { Env } from '../config/env.js';
import { LOCK_CLASS } from './advisory-locks.js';
import { buildDataSourceOptions, dbEnvOf, type DbEnv } from './typeorm-options.js';

// The one-key lock the migrators of earlier releases took instead of LOCK_CLASS.migrations: taken
// too, so that an instance of such a release starting beside this one (a rolling deploy) waits for it.
const EARLIER_MIGRATION_LOCK_KEY = 7_264_019_771;

/**
 * Runs pending migrations in one transaction that first takes a transaction-scoped advisory lock
 * (class LOCK_CLASS.migrations), so instances (or parallel test workers) starting together migrate
 * once and the others wait, then find nothing to do. Transaction-scoped on purpose: through a transaction-mode pooler a session
 * lock would stay on whichever server connection took it, and its unlock could land on another.
 * No statement limit inside (a migration may take long); all or nothing.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    await runner.query('SET LOCAL statement_timeout = 0');
    await runner.query('SELECT pg_advisory_xact_lock($1)', [EARLIER_MIGRATION_LOCK_KEY]);
    await runner.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_CLASS.migrations]);
    // The transaction is ours: the executor ('all') runs inside it and neither commits nor rolls back.
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'all';
    const applied = await executor.executePendingMigrations();
    await runner.commitTransaction();
    return applied.map((m) => m.name);
  } catch (err) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw err;
  } finally {
    await runner.release();
  }
}

/** Migrates `env`'s database on its migration connection (DATABASE_DIRECT_URL when set), then closes it. */
export async function migrate(env: DbEnv): Promise<string[]> {
  const dataSource = await new DataSource(buildDataSourceOptions(env, 'migrations')).initialize();
  try {
    return await runMigrationsLocked(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** Migrates on start unless DB_MIGRATE_ON_START=false. */
@Injectable()
export class Migrator implements OnModuleInit {
  private readonly logger = new Logger(Migrator.name);

  constructor(private readonly config: ConfigService<Env, true>) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.get('DB_MIGRATE_ON_START', { infer: true })) return;
    const applied = await migrate(dbEnvOf((key) => this.config.get(key, { infer: true })));
    if (applied.length) this.logger.log(`Applied migrations: ${applied.join(', ')}`);
  }
}
