import { Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module.js';
import { PerIpLimit } from './per-ip.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * Every request limit, each kind of request counted at exactly one layer: per IP ahead of routing
 * (no Authorization header, or the docs) and in the not-found handler (the unrouted rest), both
 * PerIpLimit, mounted by configureApp; at RateLimitGuard (a global guard, see AppModule) per user, or
 * per IP when the token failed. Health probes never count.
 */
@Module({
  imports: [RedisModule],
  providers: [RateLimiter, PerIpLimit, RateLimitGuard],
  exports: [RateLimitGuard, PerIpLimit, RateLimiter],
})
export class RateLimitModule {}
