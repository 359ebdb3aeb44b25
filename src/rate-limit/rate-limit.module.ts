import { Global, Module } from '@nestjs/common';
import { RateLimiter } from './rate-limiter.js';
import { UserRateLimitGuard } from './user-rate-limit.guard.js';

@Global()
@Module({
  providers: [RateLimiter, UserRateLimitGuard],
  exports: [RateLimiter, UserRateLimitGuard],
})
export class RateLimitModule {}
