import type { DataSourceOptions } from 'typeorm';
import { IdempotencyKey } from '../idempotency/idempotency-key.entity.js';
import { TaskEntity } from '../tasks/entities/task.entity.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { TypeOrmLogger } from './typeorm-logger.js';
import { databaseUrl, type Env } from '../config/env.js';

type DbEnv = Pick<
  Env,
  'DATABASE_URL' | 'NEON_DATABASE_URL' | 'DB_POOL_MAX' | 'DB_CONNECT_TIMEOUT_MS' | 'DB_STATEMENT_TIMEOUT_MS'
>;

/**
 * The one place TypeORM options are built: used by the app (TypeOrmModule.forRootAsync),
 * the migration CLI (src/database/data-source.ts) and the e2e global setup.
 * `sslmode=require` and friends in the URL are honoured by pg's own parser.
 */
export function buildDataSourceOptions(env: DbEnv): DataSourceOptions {
  const url = databaseUrl(env);
  if (!url) throw new Error('DATABASE_URL is not set');
  return {
    type: 'postgres',
    url,
    uuidExtension: 'pgcrypto',
    entities: [TaskEntity, IdempotencyKey],
    migrations: MIGRATIONS,
    // Run by Migrator under an advisory lock (DB_MIGRATE_ON_START), not by TypeORM's own start-up.
    migrationsRun: false,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    logging: ['error', 'warn', 'migration'],
    logger: new TypeOrmLogger(),
    maxQueryExecutionTime: 1000,
    extra: {
      max: env.DB_POOL_MAX,
      connectionTimeoutMillis: env.DB_CONNECT_TIMEOUT_MS,
      // Server-side limit, plus a client-side one that also fires when the server is unreachable.
      statement_timeout: env.DB_STATEMENT_TIMEOUT_MS,
      query_timeout: env.DB_STATEMENT_TIMEOUT_MS + 1000,
      idle_in_transaction_session_timeout: env.DB_STATEMENT_TIMEOUT_MS * 2,
      keepAlive: true,
      application_name: 'tasks-api',
    },
  };
}
