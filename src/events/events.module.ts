import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { HealthModule } from '../health/health.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { RedisModule } from '../redis/redis.module.js';
import { SyncModule } from '../sync/sync.module.js';
import { ChangeNotifier } from './change-notifier.js';
import { EventsController, UserEventsController } from './events.controller.js';
import { EventsService } from './events.service.js';

/** Live events: GET /api/tasks/events, Server-Sent Events over the change feed and the notification outbox. */
@Module({
  imports: [AuthModule, DatabaseModule, HealthModule, NotificationsModule, RedisModule, SyncModule],
  controllers: [EventsController, UserEventsController],
  providers: [ChangeNotifier, EventsService],
  exports: [EventsService],
})
export class EventsModule {}
