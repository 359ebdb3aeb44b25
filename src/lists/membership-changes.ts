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
 * (`Transaction.announce`: their reads go to the primary, their live streams look again; each user
 * once, the caller too), a removed or leaving member included. Nothing is announced when the change
 * throws (it rolled back).
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
    return this.db.transaction(callerId, async (tx) => {
      const list = await this.members.lock(listId);
      if (!list) throw missing();
      const before = await this.members.userIds(listId);
      if (member && !before.includes(callerId)) throw missing();
      const done = await work(list);
      tx.announce([...before, ...(await this.members.userIds(listId))]);
      return done;
    });
  }

  /**
   * Runs `work`, a change of a list by its owner that every member sees (a rename, a deletion), in one
   * transaction of the caller's; the users `work` passes to `announce` (the list's members) are
   * announced once it committed, each once, the caller too.
   */
  announcing<T>(
    callerId: string,
    work: (announce: (users: Iterable<string>) => void) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction(callerId, (tx) => work((users) => tx.announce(users)));
  }
}
