import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Env } from '../config/env.js';
import { ProblemException } from '../errors/problem.exception.js';
import { RedisConnections } from '../redis/redis.js';

const WINDOW_S = 60;
export const USER_LIMITED = 'Too many requests for this user; retry later';
export const IP_LIMITED = 'Too many requests without a valid token from this address; retry later';
export const ACCOUNT_LIMITED = 'Too many failed sign-ins for this account; retry later';

/**
 * Two fixed-window limits (rate-limiter-flexible): per user for authenticated requests, per client
 * address for the others. Counters live in Redis (the instance's shared client) when REDIS_URL is
 * set, so all instances share them; if Redis stops answering, each instance falls back to in-memory
 * counters (an "insurance" limiter) instead of failing requests. Without REDIS_URL they are in
 * memory, per process.
 */
@Injectable()
export class RateLimiter {
  private readonly perUser?: RateLimiterAbstract;
  private readonly perIp?: RateLimiterAbstract;
  private readonly accountFailures?: RateLimiterAbstract;

  constructor(
    config: ConfigService<Env, true>,
    private readonly redis: RedisConnections,
  ) {
    this.perUser = this.limiter('rl:user', config.get('RATE_LIMIT_USER_PER_MINUTE', { infer: true }));
    this.perIp = this.limiter('rl:ip', config.get('RATE_LIMIT_IP_PER_MINUTE', { infer: true }));
    this.accountFailures = this.limiter(
      'rl:account-fail',
      config.get('RATE_LIMIT_LOGIN_FAILURES', { infer: true }),
    );
  }

  private limiter(keyPrefix: string, points: number): RateLimiterAbstract | undefined {
    if (points === 0) return undefined;
    const memory = new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_S });
    if (!this.redis.client) return memory;
    return new RateLimiterRedis({
      storeClient: this.redis.client,
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

  /**
   * 429 when `account` (a login tried with a password: its SHA-256 is the key) has had
   * RATE_LIMIT_LOGIN_FAILURES failed sign-ins in this window: its next attempt is not
   * even checked, so guessing from many addresses gets nowhere either.
   */
  async checkAccount(account: string): Promise<void> {
    const limiter = this.accountFailures;
    if (!limiter) return;
    const res = await limiter.get(accountKey(account));
    if (res && res.consumedPoints >= limiter.points) throw limited(ACCOUNT_LIMITED, res);
  }

  /** Counts a failed sign-in of `account`; 429 when that was one too many. */
  failedSignIn(account: string): Promise<void> {
    return this.consume(this.accountFailures, accountKey(account), ACCOUNT_LIMITED);
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
      throw limited(detail, res);
    }
  }
}

/** The 429 problem of a limit, with `Retry-After` from the counter's window. */
const limited = (detail: string, res: RateLimiterRes): ProblemException =>
  new ProblemException(429, detail, {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(res.msBeforeNext / 1000))) },
  });

/** An account's counter key: a hash, so no login (an email) is written into Redis. */
const accountKey = (account: string): string =>
  createHash('sha256').update(account.toLowerCase(), 'utf8').digest('base64url');
