import { Injectable } from '@nestjs/common';
import { advisoryLock, LOCK_CLASS } from '../database/advisory-locks.js';
import { Database, sql } from '../database/database.js';
import { TASK_LIMIT_SQLSTATE } from '../tasks/task.errors.js';
import type { MemberDto } from './dto/member.dto.js';
import { RecipientTaskLimitError } from './list.errors.js';
import { memberSql, type MemberRole } from './roles.js';

/** A member (`m`) with what the users directory (`u`) knows of them: MEMBER_COLUMNS, in order. */
const SELECT_MEMBER = `SELECT m.user_id, u.email, u.name, m.role, m.joined_at`;
const FROM_MEMBERS = `list_members m LEFT JOIN users u ON u.id = m.user_id`;
/** The owner first, then by when they joined. */
const MEMBER_ORDER = `ORDER BY m.role = 'owner' DESC, m.joined_at, m.user_id`;

/** SQL: whether `$caller` owns list `$list`. */
const ownerSql = (list: string, caller: string) => memberSql(list, caller, ['owner']);

/**
 * The SQL of a list's membership (migration Lists: `list_members`, the owner's row included).
 *
 * Every change of a list's membership (a role change, a removal or leave, a transfer, an accepted
 * invitation) runs in a transaction that first takes the list's row lock (`lock`, FOR NO KEY
 * UPDATE: task inserts, which take KEY SHARE for their foreign key, do not wait for it): they take
 * turns per list, and each statement after the lock sees the membership as the previous one left
 * it. The writes still carry the caller's role in their own WHERE (read at the moment they run, on
 * the primary), so no write ever rests on a role read earlier.
 */
@Injectable()
export class MembersRepository {
  constructor(private readonly db: Database) {}

  /** The members of the list, when the caller is one of them (empty otherwise: a list always has its owner). */
  all(callerId: string, listId: string): Promise<MemberDto[]> {
    return this.db.rows<MemberDto>(
      sql(
        `${SELECT_MEMBER} FROM ${FROM_MEMBERS} WHERE m.list_id = $1 AND ${memberSql('$1', '$2')} ${MEMBER_ORDER}`,
        [listId, callerId],
      ),
      callerId,
    );
  }

  /**
   * In the current transaction: takes the list's row lock until it ends (membership changes of one
   * list take turns). Whether it is an inbox; null when there is no such list.
   */
  async lock(listId: string): Promise<{ is_inbox: boolean } | null> {
    const [row] = await this.db.rows<{ is_inbox: boolean }>(
      sql('SELECT is_inbox FROM lists WHERE id = $1 FOR NO KEY UPDATE', [listId]),
    );
    return row ?? null;
  }

  /** The user ids of the list's members, now (in the current transaction when there is one). */
  async userIds(listId: string): Promise<string[]> {
    const rows = await this.db.rows<{ user_id: string }>(
      sql('SELECT user_id FROM list_members WHERE list_id = $1', [listId]),
    );
    return rows.map((r) => r.user_id);
  }

  /**
   * Sets member `userId`'s role, when the caller owns the list and `userId` is a member other than
   * the owner. The member, or null when nothing matched.
   */
  async setRole(
    callerId: string,
    listId: string,
    userId: string,
    role: MemberRole,
  ): Promise<MemberDto | null> {
    const { rows } = await this.db.write<MemberDto>(
      callerId,
      sql(
        `WITH m AS (
           UPDATE list_members m SET role = $4
            WHERE m.list_id = $1 AND m.user_id = $3 AND m.role <> 'owner' AND ${ownerSql('$1', '$2')}
           RETURNING m.*)
         ${SELECT_MEMBER} FROM m LEFT JOIN users u ON u.id = m.user_id`,
        [listId, callerId, userId, role],
      ),
    );
    return rows[0] ?? null;
  }

  /**
   * Removes member `userId` (not the owner) when the caller owns the list or is that member
   * (leaving). Whether a row went.
   */
  async remove(callerId: string, listId: string, userId: string): Promise<boolean> {
    const { count } = await this.db.write(
      callerId,
      sql(
        `DELETE FROM list_members m
          WHERE m.list_id = $1 AND m.user_id = $3 AND m.role <> 'owner'
            AND (m.user_id = $2 OR ${ownerSql('$1', '$2')})`,
        [listId, callerId, userId],
      ),
    );
    return count > 0;
  }

  /**
   * Makes member `to` the owner of the list the caller owns, and the caller an editor: the owner's
   * row first (one owner row per list: `ux_list_members_owner`), then the new owner's, then
   * `lists.owner_id`, which the foreign key `fk_tasks_list` (ON UPDATE CASCADE) carries to every task
   * of the list: each leaves a tombstone in the old owner's change sequence and takes a number in the
   * new owner's (the trigger `task_change`). Before that, both owners' counter rows are locked in
   * user id order, so the cascade (which takes both) cannot deadlock with another statement over
   * two users' counters, and a task insert in the list that took the old owner's counter first
   * finishes before the owner changes. The new owner's `maxTasks` is set for the transaction, so the
   * counter trigger refuses the cascade when the list's tasks would take them past it
   * (RecipientTaskLimitError; the transaction rolls back). False when the caller is not the owner or
   * `to` not another member (nothing changed).
   */
  async transfer(callerId: string, listId: string, to: string, maxTasks: number): Promise<boolean> {
    await this.db.rows(
      sql(
        `SELECT set_config('tasks.max_per_user', $3, true), (SELECT count(*) FROM (
           SELECT 1 FROM task_counts WHERE user_id IN ($1, $2) ORDER BY user_id FOR NO KEY UPDATE) locked)`,
        [callerId, to, String(maxTasks)],
      ),
    );
    const demoted = await this.db.write(
      callerId,
      sql(
        `UPDATE list_members m SET role = 'editor'
          WHERE m.list_id = $1 AND m.user_id = $2 AND m.role = 'owner' AND $3::varchar <> $2
            AND ${memberSql('$1', '$3')}`,
        [listId, callerId, to],
      ),
    );
    if (!demoted.count) return false;
    await this.db.write(
      callerId,
      sql(`UPDATE list_members SET role = 'owner' WHERE list_id = $1 AND user_id = $2`, [listId, to]),
    );
    try {
      await this.db.write(
        callerId,
        sql(
          `UPDATE lists SET owner_id = $3, version = version + 1, updated_at = now() WHERE id = $1 AND owner_id = $2`,
          [listId, callerId, to],
        ),
      );
    } catch (err) {
      if ((err as { code?: unknown }).code === TASK_LIMIT_SQLSTATE)
        throw new RecipientTaskLimitError(maxTasks);
      throw err;
    }
    return true;
  }

  /**
   * How many lists `userId` owns, counted under their lists lock (the one creates take, in this
   * transaction): a transfer to them and their own creates take turns against MAX_LISTS_PER_USER.
   */
  async ownedLocked(userId: string): Promise<number> {
    await this.db.rows(advisoryLock(LOCK_CLASS.listsOfUser, userId));
    const [{ n }] = await this.db.rows<{ n: number }>(
      sql('SELECT count(*)::int AS n FROM lists WHERE owner_id = $1', [userId]),
    );
    return n;
  }

  /** How many members the list has (in the current transaction: after `lock`, exact until it ends). */
  async count(listId: string): Promise<number> {
    const [{ n }] = await this.db.rows<{ n: number }>(
      sql('SELECT count(*)::int AS n FROM list_members WHERE list_id = $1', [listId]),
    );
    return n;
  }

  /** Makes `userId` a member with `role` (they accept an invitation: the transaction is theirs). Whether they were new. */
  async join(userId: string, listId: string, role: MemberRole): Promise<boolean> {
    const { count } = await this.db.write(
      userId,
      sql(
        `INSERT INTO list_members (list_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT (list_id, user_id) DO NOTHING`,
        [listId, userId, role],
      ),
    );
    return count > 0;
  }
}
