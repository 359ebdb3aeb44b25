import { Injectable } from '@nestjs/common';
import { LOCK_CLASS } from '../database/advisory-locks.js';
import { Database, sql } from '../database/database.js';
import type { Task } from './dto/task.dto.js';
import { TASK_COLUMNS } from './task.schema.js';

/** What a placement check needs to know of a task. */
export interface TreeRow {
  id: string;
  parent_id: string | null;
  position: string;
  version: number;
  has_subtasks: boolean;
}

/** A sibling's place. */
export interface Sibling {
  id: string;
  position: string;
}

const COLUMNS = TASK_COLUMNS.join(', ');

/**
 * The SQL of the task tree and its positions: the user's ordering lock, tree rows locked for a
 * placement, siblings around a gap, respacing and moves. Each runs in the caller's transaction,
 * which holds the ordering lock (TaskOrdering.locked).
 */
@Injectable()
export class PositionsRepository {
  constructor(private readonly db: Database) {}

  /** Takes `userId`'s ordering lock until the transaction ends (again in the same transaction: at once). */
  async lock(userId: string): Promise<void> {
    await this.db.rows(sql('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS.taskOrder, userId]));
  }

  /**
   * The caller's tasks among `ids`, by id, with whether each has subtasks, locked until the
   * transaction ends: writes that do not take the ordering lock (PATCH, DELETE) wait, so the
   * versions read here hold for the write that follows, and a parent cannot vanish meanwhile.
   */
  async treeRows(userId: string, ids: string[]): Promise<Map<string, TreeRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.rows<TreeRow>(
      sql(
        `SELECT id, parent_id, position, version,
                EXISTS (SELECT 1 FROM tasks c WHERE c.parent_id = t.id) AS has_subtasks
           FROM tasks t WHERE user_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE`,
        [userId, ids],
      ),
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * Locks, in id order, the caller's tasks among `ids` and the subtasks of those among `parents`
   * (what a batch would otherwise lock in the middle: see BatchService).
   */
  async lockRows(userId: string, ids: string[], parents: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.rows(
      sql(
        `SELECT 1 FROM tasks WHERE user_id = $1 AND (id = ANY($2::uuid[]) OR parent_id = ANY($3::uuid[]))
          ORDER BY id FOR UPDATE`,
        [userId, ids, parents],
      ),
    );
  }

  /**
   * At most `limit` siblings under `parent` (null: top level) nearest to the key `key` on one side:
   * `before` (at or before it, nearest first; none when `key` is null: the list's start), or `after`
   * (strictly after it; from the list's start when `key` is null). `moving` is left out.
   */
  async nearest(
    userId: string,
    parent: string | null,
    moving: string | null,
    side: 'before' | 'after',
    key: string | null,
    limit: number,
  ): Promise<Sibling[]> {
    if (side === 'before' && key === null) return [];
    const siblings = `user_id = $1 AND parent_id ${parent === null ? 'IS NULL AND $2::uuid IS NULL' : '= $2'} AND id IS DISTINCT FROM $3`;
    const [op, dir] = side === 'before' ? ['<=', 'DESC'] : ['>', 'ASC'];
    const bound = key === null ? ' AND $4::varchar IS NULL' : ` AND position ${op} $4`;
    return this.db.rows<Sibling>(
      sql(`SELECT id, position FROM tasks WHERE ${siblings}${bound} ORDER BY position ${dir} LIMIT $5`, [
        userId,
        parent,
        moving,
        key,
        limit,
      ]),
    );
  }

  /**
   * Gives `rewritten` their new keys (each a change: version +1), `moving` stepping out of the way
   * too: first every one of them off its key (a unique index checks each row as it is written), then
   * the new keys.
   */
  async respace(userId: string, rewritten: Sibling[], moving: string | null): Promise<void> {
    const ids = rewritten.map((r) => r.id);
    await this.db.write(
      userId,
      sql(`UPDATE tasks SET position = '~' || id::text WHERE user_id = $1 AND id = ANY($2::uuid[])`, [
        userId,
        moving ? [...ids, moving] : ids,
      ]),
    );
    await this.db.write(
      userId,
      sql(
        `UPDATE tasks t SET position = v.position, version = t.version + 1, updated_at = now()
           FROM unnest($2::uuid[], $3::text[]) AS v(id, position) WHERE t.user_id = $1 AND t.id = v.id`,
        [userId, ids, rewritten.map((r) => r.position)],
      ),
    );
  }

  /** Puts task `id` under `parent` at `position`: one write, version +1. The task, or null when it is not there. */
  async moveTo(userId: string, id: string, parent: string | null, position: string): Promise<Task | null> {
    const { rows } = await this.db.write<Task>(
      userId,
      sql(
        `UPDATE tasks SET parent_id = $3, position = $4, version = version + 1, updated_at = now()
          WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
        [id, userId, parent, position],
      ),
    );
    return rows[0] ?? null;
  }
}
