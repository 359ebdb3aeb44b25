import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { HealthModule } from '../health/health.module.js';
import { RedisModule } from '../redis/redis.module.js';
import { SyncModule } from '../sync/sync.module.js';
import { ChangeNotifier } from './change-notifier.js';
import { EventsService } from './events.service.js';

/** Live events: GET /api/tasks/events (a tasks route, served by EventsService) over the change feed. */
@Module({
  imports: [DatabaseModule, HealthModule, RedisModule, SyncModule],
  providers: [ChangeNotifier, EventsService],
  exports: [EventsService],
})
export class EventsModule {}
