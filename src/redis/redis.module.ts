import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.js';
import { RedisConnections } from './redis.js';

/** This instance's Redis connections (REDIS_URL): one shared client, plus the one subscriber. */
@Module({
  providers: [
    {
      provide: RedisConnections,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => RedisConnections.open(config),
    },
  ],
  exports: [RedisConnections],
})
export class RedisModule {}
