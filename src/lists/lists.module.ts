import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { ListsController } from './lists.controller.js';
import { ListsRepository } from './lists.repository.js';
import { ListsService } from './lists.service.js';

/** The caller's lists: `/api/lists` and `/api/lists/{id}` (rules in ListsService, SQL in ListsRepository). */
@Module({
  imports: [DatabaseModule],
  controllers: [ListsController],
  providers: [ListsService, ListsRepository],
})
export class ListsModule {}
