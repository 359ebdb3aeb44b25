import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { PositionsRepository } from './positions.repository.js';
import { TasksController, UserTasksController } from './tasks.controller.js';
import { TaskOrdering } from './task-ordering.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';

/** The caller's tasks: `/api/tasks` and `/api/tasks/{id}` (rules in TasksService, SQL in the repositories). */
@Module({
  imports: [DatabaseModule, IdempotencyModule],
  controllers: [TasksController, UserTasksController],
  providers: [TasksService, TasksRepository, PositionsRepository, TaskOrdering],
  exports: [TasksService, TaskOrdering],
})
export class TasksModule {}
