import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Env } from '../config/env.js';
import { Database } from './database.js';
import { Migrator } from './migrator.js';
import { buildDataSourceOptions } from './typeorm-options.js';

/**
 * The PostgreSQL connection: TypeORM's DataSource, and `Database` (its pool and a transaction
 * helper) for the modules that import this one. Pending migrations run at start unless
 * DB_MIGRATE_ON_START=false.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => ({
        ...buildDataSourceOptions({
          DATABASE_URL: config.get('DATABASE_URL', { infer: true }),
          NEON_DATABASE_URL: config.get('NEON_DATABASE_URL', { infer: true }),
          DB_POOL_MAX: config.get('DB_POOL_MAX', { infer: true }),
          DB_CONNECT_TIMEOUT_MS: config.get('DB_CONNECT_TIMEOUT_MS', { infer: true }),
          DB_STATEMENT_TIMEOUT_MS: config.get('DB_STATEMENT_TIMEOUT_MS', { infer: true }),
        }),
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [Migrator, Database],
  exports: [Database],
})
export class DatabaseModule {}
