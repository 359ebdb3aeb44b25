import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

const KEY = (user: string) => `tasks-api:wrote:${user}`;

/**
 * Users who wrote within the last `windowMs` (DB_READ_MAX_LAG_MS): their reads go to the primary, so
 * a replica that has not replayed their write yet never answers them. Kept in this process and, with
 * REDIS_URL, in Redis, so a write through one instance steers the user's reads on every instance.
 * When Redis cannot say, the answer is "recent": the primary is always a correct place to read.
 */
export class RecentWriters {
  private readonly local: LRUCache<string, true>;

  /** `redis`: the instance's shared client (RedisConnections), when REDIS_URL is set. */
  constructor(
    private readonly windowMs: number,
    private readonly redis?: Redis,
  ) {
    this.local = new LRUCache({ max: 100_000, ttl: Math.max(1, windowMs), ttlAutopurge: false });
  }

  /** Records a write of `user` (await it before answering the write). */
  async record(user: string): Promise<void> {
    this.local.set(user, true);
    await this.redis?.set(KEY(user), '1', 'PX', Math.max(1, this.windowMs)).catch(() => undefined);
  }

  /** Whether `user` wrote within the window, here or (with Redis) through any instance. */
  async recent(user: string): Promise<boolean> {
    if (this.local.has(user)) return true;
    if (!this.redis) return false;
    return this.redis.exists(KEY(user)).then(
      (n) => n > 0,
      () => true,
    );
  }
}
