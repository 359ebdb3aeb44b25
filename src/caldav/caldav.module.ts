import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { AppPasswordsModule } from '../app-passwords/app-passwords.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { ListsModule } from '../lists/lists.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { RemindersModule } from '../reminders/reminders.module.js';
import { SyncModule } from '../sync/sync.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { CaldavController, WellKnownController } from './caldav.controller.js';
import { CaldavRepository } from './caldav.repository.js';
import { CaldavService } from './caldav.service.js';
import { CollectionTokens } from './collection-tokens.js';
import { DavAuthGuard } from './dav-auth.guard.js';
import { DavBodyMiddleware } from './dav-body.middleware.js';

/**
 * CalDAV for native task apps (contract "Native clients (CalDAV)", docs/caldav.md): `/dav/*` and
 * `/.well-known/caldav`, signed in with app passwords (AppPasswordsModule), writing through
 * TasksService like REST.
 */
@Module({
  imports: [
    DatabaseModule,
    AppPasswordsModule,
    RateLimitModule,
    TasksModule,
    ListsModule,
    SyncModule,
    RemindersModule,
  ],
  controllers: [WellKnownController, CaldavController],
  providers: [CaldavService, CaldavRepository, CollectionTokens, DavAuthGuard],
})
export class CaldavModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(DavBodyMiddleware).forRoutes(CaldavController);
  }
}
