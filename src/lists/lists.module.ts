import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { InvitationsController } from './invitations.controller.js';
import { InvitationsRepository } from './invitations.repository.js';
import { InvitationsService } from './invitations.service.js';
import { ListsController } from './lists.controller.js';
import { ListsRepository } from './lists.repository.js';
import { ListsService } from './lists.service.js';
import { MembersController } from './members.controller.js';
import { MembersRepository } from './members.repository.js';
import { MembersService } from './members.service.js';
import { MembershipChanges } from './membership-changes.js';

/**
 * The caller's lists and sharing: `/api/lists…` (lists, their members, transfers, invitations) and
 * `/api/invitations/{token}`. Rules in the services, SQL in the repositories; every membership
 * change runs in a MembershipChanges frame.
 */
@Module({
  imports: [DatabaseModule],
  controllers: [ListsController, MembersController, InvitationsController],
  providers: [
    ListsService,
    ListsRepository,
    MembersService,
    MembersRepository,
    InvitationsService,
    InvitationsRepository,
    MembershipChanges,
  ],
  exports: [ListsService],
})
export class ListsModule {}
