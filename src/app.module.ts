import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthRequiredGuard } from './auth/auth-required.guard.js';
import { AuthModule } from './auth/auth.module.js';
import { JwtAuthGuard } from './auth/jwt-auth.guard.js';
import { UsersGuard } from './users/users.guard.js';
import { AppConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { ErrorsModule } from './errors/errors.module.js';
import { HealthModule } from './health/health.module.js';
import { HttpModule } from './http/http.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { RateLimitGuard } from './rate-limit/rate-limit.guard.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { BatchModule } from './batch/batch.module.js';
import { EventsModule } from './events/events.module.js';
import { SyncModule } from './sync/sync.module.js';
import { TasksModule } from './tasks/tasks.module.js';
import { ListsModule } from './lists/lists.module.js';
import { RemindersModule } from './reminders/reminders.module.js';
import { PushModule } from './push/push.module.js';
import { UsersModule } from './users/users.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { AppPasswordsModule } from './app-passwords/app-passwords.module.js';
import { CaldavModule } from './caldav/caldav.module.js';

@Module({
  imports: [
    AppConfigModule,
    LoggingModule,
    HttpModule,
    ErrorsModule,
    RateLimitModule,
    DatabaseModule,
    AuthModule,
    UsersModule,
    // The features under /api/tasks. Routes match in the order Nest first reaches their modules
    // (depth-first through these imports): the fixed paths (changes, events) must come before
    // TasksModule's /api/tasks/{id}, so neither SyncModule nor EventsModule may import TasksModule
    // (the sync and events specs fail if /changes or /events reach /{id}).
    SyncModule,
    EventsModule,
    BatchModule,
    TasksModule,
    ListsModule,
    RemindersModule,
    WebhooksModule,
    PushModule,
    AppPasswordsModule,
    CaldavModule,
    HealthModule,
  ],
  // The global guards, in the order they run on every request.
  providers: [
    // Who is calling: `request.user` from the bearer token, or why not (`request.authFailure`).
    { provide: APP_GUARD, useExisting: JwtAuthGuard },
    // The request counts against its user, or when its token failed against its IP (429 instead of 401).
    { provide: APP_GUARD, useExisting: RateLimitGuard },
    // Default-deny: 401 unless the route is @Public() or the caller was authenticated.
    { provide: APP_GUARD, useExisting: AuthRequiredGuard },
    // The users directory learns the caller's email and name from their token (a write only when new).
    { provide: APP_GUARD, useExisting: UsersGuard },
  ],
})
export class AppModule {}
