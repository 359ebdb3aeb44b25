import type { DataSourceOptions } from 'typeorm';
import { IdempotencyKey } from '../idempotency/idempotency-key.entity.js';
import { TaskCompletionEntity, TaskEntity } from '../tasks/entities/task.entity.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { TypeOrmLogger } from './typeorm-logger.js';
import type { Env } from '../config/env.js';
import { pickEnv } from '../config/pick-env.js';
import {
  APPLICATION_NAME,
  databaseTopology,
  poolConfig,
  type DatabaseEnv,
  type PoolEnv,
} from './connection.js';

export type DbEnv = DatabaseEnv & PoolEnv;

/**
 * The one place TypeORM options are built: the app's DataSource (TypeOrmModule.forRootAsync), and
 * with `for: 'migrations'` the short-lived one migrations run on (DATABASE_DIRECT_URL when set,
 * one connection, no client-side statement limit: a migration may take long). The connection
 * itself (TLS, pool mode, limits) comes from connection.ts.
 */
export function buildDataSourceOptions(env: DbEnv, use: 'app' | 'migrations' = 'app'): DataSourceOptions {
  const topology = databaseTopology(env);
  const conn = use === 'app' ? topology.primary : topology.migrations;
  const pool =
    use === 'app'
      ? poolConfig(conn, env)
      : {
          ...poolConfig(conn, { ...env, DB_POOL_MAX: 1 }, `${APPLICATION_NAME}:migrate`),
          query_timeout: undefined,
        };
  return {
    type: 'postgres',
    host: conn.host,
    port: conn.port,
    username: conn.user,
    password: conn.password,
    database: conn.database,
    uuidExtension: 'pgcrypto',
    // Extensions are the migrations' business (run by the owner); the app may serve as a role that
    // cannot create them (deploy/postgres/app-role.sql).
    installExtensions: use === 'migrations',
    entities: [TaskEntity, TaskCompletionEntity, IdempotencyKey],
    migrations: MIGRATIONS,
    // Run by Migrator under a lock (DB_MIGRATE_ON_START), not by TypeORM's own start-up.
    migrationsRun: false,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    logging: ['error', 'warn', 'migration'],
    logger: new TypeOrmLogger(),
    maxQueryExecutionTime: 1000,
    // pg's own options, TLS and the pool mode's rules included (TypeORM passes `extra` through).
    extra: pool,
  };
}

/** The settings buildDataSourceOptions reads (one list: the app, the migrator and the CLI pick them with it). */
const DB_ENV_KEYS = [
  'DATABASE_URL',
  'NEON_DATABASE_URL',
  'DATABASE_DIRECT_URL',
  'DATABASE_READ_URLS',
  'DB_POOL_MODE',
  'DB_POOL_MAX',
  'DB_CONNECT_TIMEOUT_MS',
  'DB_STATEMENT_TIMEOUT_MS',
] as const satisfies readonly (keyof Env)[];

/** Those settings, from an Env or from `ConfigService.get`. */
export const dbEnvOf = (source: Env | ((key: keyof DbEnv) => unknown)): DbEnv => pickEnv(DB_ENV_KEYS, source);
