import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

const KEY = (user: string) => `tasks-api:streams:${user}`;
/**
 * One atomic step in Redis: forget leases that ran out (streams of an instance that died), then take
 * a slot when fewer than the most are held. KEYS[1] the user's set; ARGV: now, lease ms, id, most.
 */
const TAKE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * How many event streams each user holds open, on every instance when Redis is there (a sorted set
 * per user of stream leases, renewed on every heartbeat, so the streams of an instance that died
 * stop counting within a lease), else in this process. When Redis does not answer, the count of
 * this instance decides: a stream is never refused because Redis is away.
 */
export class StreamSlots {
  private readonly local = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly leaseMs: number,
    private readonly redis: Redis | undefined,
    private readonly logger: Logger,
  ) {}

  /** A slot for one more stream of `user` (its id, to renew and give back), or undefined when all are taken. */
  async take(user: string): Promise<string | undefined> {
    const localCount = this.local.get(user) ?? 0;
    const id = randomUUID();
    let granted = localCount < this.max;
    if (this.redis) {
      granted = await this.redis.eval(TAKE, 1, KEY(user), Date.now(), this.leaseMs, id, this.max).then(
        (taken) => taken === 1,
        (err: Error) => {
          this.logger.debug(`Stream slots in Redis: ${err.message}`);
          return granted;
        },
      );
    }
    if (!granted) return undefined;
    this.local.set(user, localCount + 1);
    return id;
  }

  /** Keeps these streams' leases (call more often than the lease runs out). */
  renew(streams: { user: string; slot: string }[]): void {
    if (!this.redis || streams.length === 0) return;
    const until = Date.now() + this.leaseMs;
    const batch = this.redis.pipeline();
    for (const { user, slot } of streams) {
      batch.zadd(KEY(user), 'XX', until, slot);
      batch.pexpire(KEY(user), this.leaseMs);
    }
    batch.exec().catch((err: Error) => this.logger.debug(`Stream slots in Redis: ${err.message}`));
  }

  /** Gives a slot back. */
  release(user: string, slot: string): void {
    const count = (this.local.get(user) ?? 1) - 1;
    if (count > 0) this.local.set(user, count);
    else this.local.delete(user);
    this.redis
      ?.zrem(KEY(user), slot)
      .catch((err: Error) => this.logger.debug(`Stream slots in Redis: ${err.message}`));
  }
}
