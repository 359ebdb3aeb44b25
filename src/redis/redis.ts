import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import type { Redis } from 'ioredis';
import type { Env } from '../config/env.js';

const READY_WAIT_MS = 1000;
/**
 * How long a closing connection may take to end before it is destroyed (ioredis' default: 2 s).
 * ioredis arms that timer even when the connection is already gone (closing while it waits to
 * reconnect to an unreachable Redis: redis/ioredis#1247, #2169), and the timer then holds the
 * process that long after the app closed.
 */
const DISCONNECT_TIMEOUT_MS = 200;

/**
 * This instance's Redis (REDIS_URL): one shared client for every command (rate-limit counters,
 * recent writers, stream slots, change announcements), and the one subscriber connection the
 * change notifier listens on (a subscribed connection can do nothing else). Without REDIS_URL there
 * is neither, and each user of Redis keeps its state in this process.
 *
 * The shared client is fallible: everything kept in it has a per-process fallback, so it never
 * queues commands while disconnected and gives up on one within 500 ms. An unreachable Redis costs
 * a request at most that, never a hang; its connection errors are logged at debug level.
 */
export class RedisConnections implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  /** The shared client; undefined without REDIS_URL. */
  readonly client?: Redis;
  private subscription?: Redis;

  /**
   * The connections of REDIS_URL (the provider's factory). ioredis is loaded only when it is set: an
   * instance without Redis never holds the library (≈ 10 MiB).
   */
  static async open(config: ConfigService<Env, true>): Promise<RedisConnections> {
    const url = config.get('REDIS_URL', { infer: true });
    return new RedisConnections(url ? { url, Redis: (await import('ioredis')).Redis } : undefined);
  }

  private readonly url?: string;
  private readonly Redis?: typeof Redis;

  constructor(redis?: { url: string; Redis: typeof Redis }) {
    if (!redis) return;
    this.url = redis.url;
    this.Redis = redis.Redis;
    this.client = new redis.Redis(this.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 1000,
      commandTimeout: 500,
      disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    });
    this.client.on('error', (err: Error) => this.logger.debug(err.message));
  }

  /**
   * The subscriber connection, opened on the first call (undefined without REDIS_URL). Unlike the
   * shared client it waits for Redis as long as it takes, and ioredis subscribes it again by itself
   * after a reconnection.
   */
  subscriber(): Redis | undefined {
    if (!this.url || !this.Redis || this.subscription) return this.subscription;
    this.subscription = new this.Redis(this.url, {
      maxRetriesPerRequest: null,
      connectTimeout: 1000,
      disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    });
    this.subscription.on('error', (err: Error) => this.logger.debug(`subscriber: ${err.message}`));
    return this.subscription;
  }

  /**
   * Waits (up to READY_WAIT_MS) for Redis before the app serves, so the first requests are counted
   * and recorded in Redis rather than in the per-process fallbacks; an unreachable Redis only delays
   * start-up.
   */
  async onModuleInit(): Promise<void> {
    const client = this.client;
    if (!client || client.status === 'ready') return;
    // Only 'ready' ends the wait early: connection errors while Redis comes up are retried by ioredis.
    let timer: NodeJS.Timeout | undefined;
    const ready = await Promise.race([
      new Promise<true>((resolve) => client.once('ready', () => resolve(true))),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), READY_WAIT_MS))),
    ]);
    clearTimeout(timer);
    if (!ready)
      this.logger.warn(
        `Redis is not ready after ${READY_WAIT_MS} ms: rate limits, recent writers and stream slots are counted in this process until it is`,
      );
  }

  /** Last of all (after every module's onModuleDestroy), so no user of a connection sees it close early. */
  onApplicationShutdown(): void {
    this.client?.disconnect();
    this.subscription?.disconnect();
  }
}
