import { Module } from '@nestjs/common';
import { BatchService } from './batch/batch.service.js';
import { DatabaseModule } from '../database/database.module.js';
import { EventsModule } from '../events/events.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { SyncModule } from '../sync/sync.module.js';
import { TasksController } from './tasks.controller.js';
import { TaskOrdering } from './task-ordering.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';
import { UserTasksController } from './user-tasks.controller.js';

@Module({
  imports: [DatabaseModule, EventsModule, IdempotencyModule, RateLimitModule, SyncModule],
  controllers: [TasksController, UserTasksController],
  providers: [TasksService, TasksRepository, TaskOrdering, BatchService],
})
export class TasksModule {}
