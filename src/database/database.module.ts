import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Env } from '../config/env.js';
import { RedisModule } from '../redis/redis.module.js';
import { Database } from './database.js';
import { Migrator } from './migrator.js';
import { buildDataSourceOptions, dbEnvOf } from './typeorm-options.js';

/**
 * The PostgreSQL connection: TypeORM's DataSource, and `Database` (its pool and a transaction
 * helper) for the modules that import this one. Pending migrations run at start unless
 * DB_MIGRATE_ON_START=false.
 */
@Module({
  imports: [
    // The shared client, for ReadReplicas' recent writers (REDIS_URL).
    RedisModule,
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => ({
        ...buildDataSourceOptions(dbEnvOf((key) => config.get(key, { infer: true }))),
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [Migrator, Database],
  exports: [Database],
})
export class DatabaseModule {}
