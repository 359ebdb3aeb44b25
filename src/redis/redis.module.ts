import { Module } from '@nestjs/common';
import { RedisConnections } from './redis.js';

/** This instance's Redis connections (REDIS_URL): one shared client, plus the one subscriber. */
@Module({
  providers: [RedisConnections],
  exports: [RedisConnections],
})
export class RedisModule {}
