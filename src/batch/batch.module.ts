import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { SyncModule } from '../sync/sync.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { BatchController, UserBatchController } from './batch.controller.js';
import { BatchService } from './batch.service.js';

/** Batches of task commands: `POST /api/tasks/batch`, each command with its single route's rules (TasksService). */
@Module({
  imports: [DatabaseModule, IdempotencyModule, SyncModule, TasksModule],
  controllers: [BatchController, UserBatchController],
  providers: [BatchService],
})
export class BatchModule {}
