import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { ChangesService } from './changes.service.js';

/** Incremental sync: the change feed (GET /api/tasks/changes is a tasks route, served by ChangesService). */
@Module({
  imports: [DatabaseModule],
  providers: [ChangesService],
  exports: [ChangesService],
})
export class SyncModule {}
