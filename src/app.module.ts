import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.js';
import { AppConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { ErrorsModule } from './errors/errors.module.js';
import { HealthModule } from './health/health.module.js';
import { HttpModule } from './http/http.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { TasksModule } from './tasks/tasks.module.js';

@Module({
  imports: [
    AppConfigModule,
    LoggingModule,
    HttpModule,
    ErrorsModule,
    RateLimitModule,
    DatabaseModule,
    AuthModule,
    TasksModule,
    HealthModule,
  ],
})
export class AppModule {}
