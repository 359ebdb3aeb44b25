import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AuthUser } from '../auth/auth-user.js';
import type { Env } from '../config/env.js';
import { sweepEvery, sweepInBatches } from '../database/sweep.js';
import type {
  CreateInvitationDto,
  CreatedInvitationDto,
  InvitationDto,
  InvitationPreviewDto,
} from './dto/invitation.dto.js';
import type { ListDto } from './dto/list.dto.js';
import {
  InboxError,
  InvitationForSomeoneElseError,
  InvitationNotFoundError,
  ListFullError,
  ListNotFoundError,
  OwnerOnlyError,
} from './list.errors.js';
import { INVITATION_TOKEN_BYTES } from './list.schema.js';
import { ListsRepository } from './lists.repository.js';
import { INVITATION_SWEEP_BATCH, InvitationsRepository } from './invitations.repository.js';
import { MembersRepository } from './members.repository.js';
import { MembershipChanges } from './membership-changes.js';

/** How often expired invitations are deleted. */
const SWEEP_EVERY_MS = 60 * 60_000;

/** What is stored of a token: its SHA-256 (a token has 256 random bits, so no salt or slow hash is needed). */
const hashOf = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * The rules of invitations: the owner makes, lists and revokes them (never into an inbox); anyone
 * signed in who holds a token sees what it offers and accepts it, once, before it expires, and only
 * under the email it is bound to. Accepting runs in a MembershipChanges frame, so accepts into one
 * list take turns on its lock: concurrent accepts of one token make one member, and concurrent
 * accepts into a nearly full list never pass MAX_MEMBERS_PER_LIST.
 */
@Injectable()
export class InvitationsService implements OnModuleInit, OnModuleDestroy {
  private readonly ttlHours: number;
  private readonly maxMembers: number;
  private readonly logger = new Logger(InvitationsService.name);
  private stopSweeping?: () => void;

  constructor(
    private readonly repo: InvitationsRepository,
    private readonly members: MembersRepository,
    private readonly lists: ListsRepository,
    private readonly changes: MembershipChanges,
    config: ConfigService<Env, true>,
  ) {
    this.ttlHours = config.get('INVITATION_TTL_HOURS', { infer: true });
    this.maxMembers = config.get('MAX_MEMBERS_PER_LIST', { infer: true });
  }

  async create(callerId: string, listId: string, dto: CreateInvitationDto): Promise<CreatedInvitationDto> {
    const token = randomBytes(INVITATION_TOKEN_BYTES).toString('base64url');
    const made = await this.repo.create(
      callerId,
      listId,
      hashOf(token),
      dto.role,
      dto.email ?? null,
      this.ttlHours,
    );
    if (!made) throw await this.whyNot(callerId, listId);
    const { id, ...rest } = made;
    return { id, token, ...rest };
  }

  async open(callerId: string, listId: string): Promise<InvitationDto[]> {
    const open = await this.repo.open(callerId, listId);
    if (open.length) return open;
    const access = await this.lists.access(callerId, listId);
    if (!access) throw new ListNotFoundError();
    if (access.role !== 'owner') throw new OwnerOnlyError();
    return [];
  }

  async revoke(callerId: string, listId: string, id: string): Promise<void> {
    if (await this.repo.revoke(callerId, listId, id)) return;
    const access = await this.lists.access(callerId, listId);
    if (!access) throw new ListNotFoundError();
    if (access.role !== 'owner') throw new OwnerOnlyError();
    throw new InvitationNotFoundError(InvitationNotFoundError.byId);
  }

  async preview(caller: AuthUser, token: string): Promise<InvitationPreviewDto> {
    const offer = await this.repo.preview(hashOf(token), caller.sub);
    if (!offer) throw new InvitationNotFoundError();
    return offer;
  }

  /**
   * The caller joins the invitation's list with its role and the invitation is used up; the list as
   * they now see it. Already a member: used up, nothing else changes. Bound to another email: 403,
   * the list full: 409; both leave the invitation open.
   */
  async accept(caller: AuthUser, token: string): Promise<ListDto> {
    const hash = hashOf(token);
    const found = await this.repo.find(hash, caller.sub);
    if (!found) throw new InvitationNotFoundError();
    if (found.email !== null && found.email !== caller.email?.toLowerCase())
      throw new InvitationForSomeoneElseError();
    return this.changes.run(
      caller.sub,
      found.list_id,
      async () => {
        // Again under the list's lock, and locked: a concurrent accept of this token committed first.
        const invitation = await this.repo.find(hash, caller.sub, { lock: true });
        if (!invitation) throw new InvitationNotFoundError();
        if (!(await this.lists.access(caller.sub, invitation.list_id))) {
          if ((await this.members.count(invitation.list_id)) >= this.maxMembers)
            throw new ListFullError(this.maxMembers);
          await this.members.join(caller.sub, invitation.list_id, invitation.role);
        }
        await this.repo.use(caller.sub, invitation.id);
        const list = await this.lists.findOne(caller.sub, invitation.list_id);
        if (!list) throw new InvitationNotFoundError();
        return list;
      },
      { member: false, missing: () => new InvitationNotFoundError() },
    );
  }

  /** Why an owner's invitation into list `listId` was not made: not a member, not the owner, or the inbox. */
  private async whyNot(callerId: string, listId: string): Promise<Error> {
    const access = await this.lists.access(callerId, listId);
    if (!access) return new ListNotFoundError();
    if (access.role !== 'owner') return new OwnerOnlyError();
    if (access.is_inbox) return new InboxError(InboxError.shared);
    return new ListNotFoundError();
  }

  /**
   * Deletes expired invitations (already 404 everywhere) in batches, each its own statement; any
   * number of instances may sweep at once. How many it deleted.
   */
  sweep(): Promise<number> {
    return sweepInBatches(INVITATION_SWEEP_BATCH, () => this.repo.sweepBatch());
  }

  onModuleInit(): void {
    this.stopSweeping = sweepEvery(SWEEP_EVERY_MS, () => this.sweep(), this.logger, 'Invitation');
  }

  onModuleDestroy(): void {
    this.stopSweeping?.();
  }
}
