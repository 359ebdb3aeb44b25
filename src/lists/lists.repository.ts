import { Injectable } from '@nestjs/common';
import { advisoryLock, LOCK_CLASS } from '../database/advisory-locks.js';
import { Database, sql } from '../database/database.js';
import type { ListDto } from './dto/list.dto.js';
import type { Role } from './roles.js';

/** The caller's view of a list (`l`) through their membership row (`m`): LIST_COLUMNS, in order. */
const SELECT_LIST = `SELECT l.id, l.name, l.color, l.is_inbox, l.owner_id, m.role,
        (SELECT count(*) FROM list_members c WHERE c.list_id = l.id)::int AS member_count,
        l.created_at, l.updated_at, l.version`;

/** The fields of a list a PATCH may change (a null `color` clears it). */
export interface ListChanges {
  name?: string;
  color?: string | null;
}

/**
 * The SQL of lists (migration Lists): every statement reads or writes a list through the caller's
 * membership row, so a list the caller is not a member of is never seen and never written.
 */
@Injectable()
export class ListsRepository {
  constructor(private readonly db: Database) {}

  /** The caller's lists: their inbox first, then by creation. */
  all(userId: string, { primary = false } = {}): Promise<ListDto[]> {
    const statement = sql(
      `${SELECT_LIST} FROM list_members m JOIN lists l ON l.id = m.list_id
        WHERE m.user_id = $1 ORDER BY l.is_inbox DESC, l.created_at, l.id`,
      [userId],
    );
    return primary ? this.db.rows<ListDto>(statement, userId) : this.db.read<ListDto>(userId, statement);
  }

  /**
   * Makes the caller's inbox unless it exists (concurrent calls make one: migration Lists,
   * `inbox_of`). A write of theirs, announced when it made one (a row comes back only then): their
   * other open streams get the new list, and their next reads go to the primary.
   */
  async ensureInbox(userId: string): Promise<void> {
    await this.db.write(
      userId,
      sql(
        'SELECT inbox_of($1::varchar) WHERE NOT EXISTS (SELECT 1 FROM lists WHERE owner_id = $1 AND is_inbox)',
        [userId],
      ),
    );
  }

  /** The list, when the caller is a member, or null. */
  async findOne(userId: string, id: string): Promise<ListDto | null> {
    const [row] = await this.db.read<ListDto>(
      userId,
      sql(
        `${SELECT_LIST} FROM list_members m JOIN lists l ON l.id = m.list_id WHERE m.user_id = $1 AND l.id = $2`,
        [userId, id],
      ),
    );
    return row ?? null;
  }

  /**
   * Creates a list owned by the caller, with their owner row, unless they own `max` lists already
   * (null then). Counted under the caller's lists lock (in this transaction), so concurrent creates
   * take turns and never pass the limit together.
   */
  create(userId: string, name: string, color: string | null, max: number): Promise<ListDto | null> {
    return this.db.locked(userId, advisoryLock(LOCK_CLASS.listsOfUser, userId), async () => {
      const [row] = (
        await this.db.write<ListDto>(
          userId,
          sql(
            `WITH l AS (
               INSERT INTO lists (owner_id, name, color)
               SELECT $1::varchar, $2::varchar, $3::varchar WHERE (SELECT count(*) FROM lists WHERE owner_id = $1::varchar) < $4
               RETURNING *),
             m AS (INSERT INTO list_members (list_id, user_id, role) SELECT id, $1::varchar, 'owner' FROM l RETURNING role)
             SELECT l.id, l.name, l.color, l.is_inbox, l.owner_id, m.role, 1 AS member_count,
                    l.created_at, l.updated_at, l.version FROM l, m`,
            [userId, name, color, max],
          ),
        )
      ).rows;
      return row ?? null;
    });
  }

  /**
   * Changes the given fields of the list when the caller is its owner (and, with `versions`, only at
   * one of them); version +1. Null when nothing matched (`access` tells why).
   */
  async update(
    userId: string,
    id: string,
    changes: ListChanges,
    versions?: number[],
  ): Promise<ListDto | null> {
    const values: unknown[] = [id, userId];
    const set = ['version = l.version + 1', 'updated_at = now()'];
    if (changes.name !== undefined) set.push(`name = $${values.push(changes.name)}`);
    if (changes.color !== undefined) set.push(`color = $${values.push(changes.color)}`);
    const condition = versions ? ` AND l.version = ANY($${values.push(versions)}::int[])` : '';
    const { rows } = await this.db.write<ListDto>(
      userId,
      sql(
        `WITH l AS (
           UPDATE lists l SET ${set.join(', ')}
            WHERE l.id = $1 AND EXISTS (SELECT 1 FROM list_members o WHERE o.list_id = l.id AND o.user_id = $2 AND o.role = 'owner')${condition}
           RETURNING l.*)
         ${SELECT_LIST} FROM l JOIN list_members m ON m.list_id = l.id AND m.user_id = $2`,
        values,
      ),
    );
    return rows[0] ?? null;
  }

  /**
   * Deletes the list, its tasks first (each leaving a tombstone: migration Lists; the trigger
   * `lists_delete_tasks_first`, so their webhooks still see the members: migration ListTasksFirst),
   * then by the cascade its members and invitations, when the caller is its owner and it is not the
   * inbox (with `versions`,
   * only at one of them). The user ids of the members it had (to announce the change to), or null
   * when nothing matched.
   */
  async delete(userId: string, id: string, versions?: number[]): Promise<string[] | null> {
    const values: unknown[] = [id, userId];
    const condition = versions ? ` AND l.version = ANY($${values.push(versions)}::int[])` : '';
    const { rows } = await this.db.write<{ members: string[] }>(
      userId,
      sql(
        `DELETE FROM lists l WHERE l.id = $1 AND NOT l.is_inbox
            AND EXISTS (SELECT 1 FROM list_members o WHERE o.list_id = l.id AND o.user_id = $2 AND o.role = 'owner')${condition}
         RETURNING ARRAY(SELECT m.user_id FROM list_members m WHERE m.list_id = l.id) AS members`,
        values,
      ),
    );
    return rows[0]?.members ?? null;
  }

  /** The user ids of the list's members, on the primary. */
  async memberIds(id: string): Promise<string[]> {
    const rows = await this.db.rows<{ user_id: string }>(
      sql('SELECT user_id FROM list_members WHERE list_id = $1', [id]),
    );
    return rows.map((r) => r.user_id);
  }

  /**
   * On the primary (in the current transaction when there is one): the caller's role in the list,
   * whether it is the inbox and its version, or null when they are not a member. Tells why a write
   * matched nothing.
   */
  async access(
    userId: string,
    id: string,
  ): Promise<{ role: Role; is_inbox: boolean; version: number } | null> {
    const [row] = await this.db.rows<{ role: Role; is_inbox: boolean; version: number }>(
      sql(
        `SELECT m.role, l.is_inbox, l.version FROM lists l JOIN list_members m ON m.list_id = l.id AND m.user_id = $2
          WHERE l.id = $1`,
        [id, userId],
      ),
      userId,
    );
    return row ?? null;
  }
}
