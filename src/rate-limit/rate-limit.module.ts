import { Module } from '@nestjs/common';
import { FailedAuthRateLimitGuard } from './failed-auth-rate-limit.guard.js';
import { RateLimiter } from './rate-limiter.js';
import { UserRateLimitGuard } from './user-rate-limit.guard.js';

/** Request limits per user and, for requests without a valid token, per IP: two guards (see AppModule). */
@Module({
  providers: [RateLimiter, UserRateLimitGuard, FailedAuthRateLimitGuard],
  exports: [UserRateLimitGuard, FailedAuthRateLimitGuard],
})
export class RateLimitModule {}
