import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { ChangesRepository } from './changes.repository.js';
import { ChangesService } from './changes.service.js';
import { ServerKeysRepository } from './server-keys.repository.js';
import { SyncController, UserSyncController } from './sync.controller.js';
import { SyncTokens } from './sync-tokens.js';

/** Incremental sync: GET /api/tasks/changes over the per-user change sequence, with authenticated tokens. */
@Module({
  imports: [DatabaseModule],
  controllers: [SyncController, UserSyncController],
  providers: [ChangesService, ChangesRepository, SyncTokens, ServerKeysRepository],
  exports: [ChangesService, SyncTokens],
})
export class SyncModule {}
