import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { ListNotFoundError } from './list.errors.js';
import { MembersRepository } from './members.repository.js';

/** How a membership change starts. */
export interface ChangeOptions {
  /** Whether the caller must be a member already (not so for accepting an invitation). Default true. */
  member?: boolean;
  /** What to throw when there is no such list (or, with `member`, the caller is not in it). */
  missing?: () => Error;
}

/**
 * The frame of every change to who is in a list or with which role: one transaction of the caller's
 * that takes the list's row lock first (MembersRepository.lock: changes of one list take turns), and,
 * once it committed, announces every member before and after the change as a writer
 * (`Database.announceFor`: their reads go to the primary, their live streams look again), a removed
 * or leaving member included. Nothing is announced when the change throws (it rolled back).
 */
@Injectable()
export class MembershipChanges {
  constructor(
    private readonly db: Database,
    private readonly members: MembersRepository,
  ) {}

  async run<T>(
    callerId: string,
    listId: string,
    work: (list: { is_inbox: boolean }) => Promise<T>,
    { member = true, missing = () => new ListNotFoundError() }: ChangeOptions = {},
  ): Promise<T> {
    const seen = new Set<string>();
    const result = await this.db.transaction(callerId, async () => {
      const list = await this.members.lock(listId);
      if (!list) throw missing();
      const before = await this.members.userIds(listId);
      if (member && !before.includes(callerId)) throw missing();
      const done = await work(list);
      for (const user of [...before, ...(await this.members.userIds(listId))]) seen.add(user);
      return done;
    });
    await this.announce(seen);
    return result;
  }

  /** Announces a committed change of a list to `users` (all its members before and after it). */
  announce(users: Iterable<string>): Promise<void> {
    return this.db.announceFor(users);
  }
}
