import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.js';
import type { ListDto } from './dto/list.dto.js';
import type { MemberDto } from './dto/member.dto.js';
import {
  InboxError,
  ListLimitReachedError,
  ListNotFoundError,
  MemberNotFoundError,
  OwnerOnlyError,
  OwnerStaysError,
} from './list.errors.js';
import { ListsRepository } from './lists.repository.js';
import { MembersRepository } from './members.repository.js';
import { MembershipChanges } from './membership-changes.js';
import type { MemberRole } from './roles.js';

/**
 * The rules of a list's members: anyone in the list sees them; the owner changes roles, removes
 * members and hands the list over; any member but the owner may leave. Each change runs in a
 * MembershipChanges frame (the list's lock, then the announcement to every member involved).
 */
@Injectable()
export class MembersService {
  private readonly maxLists: number;
  private readonly maxTasks: number;

  constructor(
    private readonly repo: MembersRepository,
    private readonly lists: ListsRepository,
    private readonly changes: MembershipChanges,
    config: ConfigService<Env, true>,
  ) {
    this.maxLists = config.get('MAX_LISTS_PER_USER', { infer: true });
    this.maxTasks = config.get('MAX_TASKS_PER_USER', { infer: true });
  }

  async all(callerId: string, listId: string): Promise<MemberDto[]> {
    const members = await this.repo.all(callerId, listId);
    // Every list has its owner's row: none seen means the caller is not in the list (or there is none).
    if (!members.length) throw new ListNotFoundError();
    return members;
  }

  setRole(callerId: string, listId: string, userId: string, role: MemberRole): Promise<MemberDto> {
    return this.changes.run(callerId, listId, async () => {
      const member = await this.repo.setRole(callerId, listId, userId, role);
      if (member) return member;
      throw await this.whyNot(callerId, listId, userId, OwnerStaysError.role);
    });
  }

  /** The owner removes `userId`, or `userId` is the caller, leaving. */
  remove(callerId: string, listId: string, userId: string): Promise<void> {
    return this.changes.run(callerId, listId, async () => {
      if (await this.repo.remove(callerId, listId, userId)) return;
      throw await this.whyNot(callerId, listId, userId, OwnerStaysError.leave, { selfAllowed: true });
    });
  }

  /**
   * Member `to` becomes the owner, the caller (the owner) an editor; the list as the caller now sees
   * it. The new owner must stay within MAX_LISTS_PER_USER like a create of theirs (the list counts
   * as theirs from now on), and within MAX_TASKS_PER_USER with the list's tasks (which count against
   * their owner's limit): else nothing changes.
   */
  transfer(callerId: string, listId: string, to: string): Promise<ListDto> {
    return this.changes.run(callerId, listId, async (list) => {
      const caller = await this.lists.access(callerId, listId);
      if (caller?.role !== 'owner') throw new OwnerOnlyError();
      if (list.is_inbox) throw new InboxError(InboxError.transferred);
      if (to === callerId) throw new MemberNotFoundError('user_id', MemberNotFoundError.owner);
      if (!(await this.lists.access(to, listId)))
        throw new MemberNotFoundError('user_id', MemberNotFoundError.notMember);
      if ((await this.repo.ownedLocked(to)) >= this.maxLists)
        throw new ListLimitReachedError(this.maxLists, true);
      if (!(await this.repo.transfer(callerId, listId, to, this.maxTasks))) throw new ListNotFoundError();
      const now = await this.lists.findOne(callerId, listId);
      if (!now) throw new ListNotFoundError();
      return now;
    });
  }

  /**
   * Why a change of member `userId` matched nothing (under the list's lock, so nothing moved since):
   * the caller is no member, or not the owner (a member may only remove themselves: `selfAllowed`),
   * `userId` is the owner (`ownerStays`), or no member.
   */
  private async whyNot(
    callerId: string,
    listId: string,
    userId: string,
    ownerStays: string,
    { selfAllowed = false } = {},
  ): Promise<Error> {
    const caller = await this.lists.access(callerId, listId);
    if (!caller) return new ListNotFoundError();
    if (caller.role !== 'owner' && !(selfAllowed && userId === callerId)) return new OwnerOnlyError();
    const target = userId === callerId ? caller : await this.lists.access(userId, listId);
    if (target?.role === 'owner') return new OwnerStaysError(ownerStays);
    return new MemberNotFoundError();
  }
}
