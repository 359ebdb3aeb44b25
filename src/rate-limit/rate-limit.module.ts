import { Module } from '@nestjs/common';
import { FailedAuthRateLimitGuard } from './failed-auth-rate-limit.guard.js';
import { RateLimiter } from './rate-limiter.js';
import { UserRateLimitGuard } from './user-rate-limit.guard.js';

/** Request limits per user and, for requests without a valid token, per IP: two guards (see AppModule). */
@Module({
  providers: [RateLimiter, UserRateLimitGuard, FailedAuthRateLimitGuard],
  // RateLimiter too: configureApp mounts the anonymous per-IP limit ahead of routing with it.
  exports: [UserRateLimitGuard, FailedAuthRateLimitGuard, RateLimiter],
})
export class RateLimitModule {}
