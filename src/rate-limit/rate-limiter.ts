import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Redis } from 'ioredis';
import { fallibleRedis } from '../common/redis.js';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Env } from '../config/env.js';
import { ProblemException } from '../errors/problem.exception.js';

const WINDOW_S = 60;
export const USER_LIMITED = 'Too many requests for this user; retry later';
export const IP_LIMITED = 'Too many requests without a valid token from this address; retry later';
const REDIS_READY_WAIT_MS = 1000;

/**
 * Two fixed-window limits (rate-limiter-flexible): per user for authenticated requests, per client
 * address for the others. Counters live in Redis when REDIS_URL is set, so all
 * instances share them; if Redis stops answering, each instance falls back to in-memory counters
 * (an "insurance" limiter) instead of failing requests. Without REDIS_URL they are in memory,
 * per process.
 */
@Injectable()
export class RateLimiter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly redis?: Redis;
  private readonly perUser?: RateLimiterAbstract;
  private readonly perIp?: RateLimiterAbstract;

  constructor(config: ConfigService<Env, true>) {
    const url = config.get('REDIS_URL', { infer: true });
    if (url) {
      this.redis = fallibleRedis(url, this.logger);
    }
    this.perUser = this.limiter('rl:user', config.get('RATE_LIMIT_USER_PER_MINUTE', { infer: true }));
    this.perIp = this.limiter('rl:ip', config.get('RATE_LIMIT_IP_PER_MINUTE', { infer: true }));
  }

  private limiter(keyPrefix: string, points: number): RateLimiterAbstract | undefined {
    if (points === 0) return undefined;
    const memory = new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_S });
    if (!this.redis) return memory;
    return new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix,
      points,
      duration: WINDOW_S,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  }

  /** Whether a per-user limit is configured (`RATE_LIMIT_USER_PER_MINUTE` > 0). */
  get limitsUsers(): boolean {
    return this.perUser !== undefined;
  }

  /** Counts `points` requests (a batch: its commands) of an authenticated user; 429 over the limit. */
  consumeUser(userId: string, points = 1): Promise<void> {
    return this.consume(this.perUser, userId, USER_LIMITED, points);
  }

  /** Counts one request against a client address (clientKey); 429 over the limit. */
  consumeIp(key: string): Promise<void> {
    return this.consume(this.perIp, key, IP_LIMITED);
  }

  private async consume(
    limiter: RateLimiterAbstract | undefined,
    key: string,
    detail: string,
    points = 1,
  ): Promise<void> {
    if (!limiter) return;
    try {
      await limiter.consume(key, points);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      throw new ProblemException(429, detail, {
        headers: { 'Retry-After': String(Math.max(1, Math.ceil(res.msBeforeNext / 1000))) },
      });
    }
  }

  /**
   * Waits (up to REDIS_READY_WAIT_MS) for Redis before the app serves, so the first requests are
   * counted in Redis rather than in the per-instance fallback; an unreachable Redis only delays start-up.
   */
  async onModuleInit(): Promise<void> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return;
    // Only 'ready' ends the wait early: connection errors while Redis comes up are retried by ioredis.
    let timer: NodeJS.Timeout | undefined;
    const ready = await Promise.race([
      new Promise<true>((resolve) => redis.once('ready', () => resolve(true))),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), REDIS_READY_WAIT_MS))),
    ]);
    clearTimeout(timer);
    if (!ready)
      this.logger.warn(`Redis is not ready after ${REDIS_READY_WAIT_MS} ms: counting in memory until it is`);
  }

  onModuleDestroy(): void {
    this.redis?.disconnect();
  }
}
