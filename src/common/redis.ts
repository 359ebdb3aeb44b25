import type { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';

/**
 * A Redis client for state that has a per-process fallback (rate-limit counters, recent writers):
 * it never queues commands while disconnected and gives up on one within 500 ms, so an unreachable
 * Redis costs a request at most that, never a hang. Its connection errors are logged at debug level.
 */
export function fallibleRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    commandTimeout: 500,
  });
  redis.on('error', (err: Error) => logger.debug(`Redis: ${err.message}`));
  return redis;
}
