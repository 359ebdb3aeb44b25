import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { ChangesRepository } from './changes.repository.js';
import { ChangesService } from './changes.service.js';
import { SyncController, UserSyncController } from './sync.controller.js';

/** Incremental sync: GET /api/tasks/changes over the per-user change sequence. */
@Module({
  imports: [DatabaseModule],
  controllers: [SyncController, UserSyncController],
  providers: [ChangesService, ChangesRepository],
  exports: [ChangesService],
})
export class SyncModule {}
