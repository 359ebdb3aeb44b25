import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.js';
import { LOCK_CLASS } from '../database/advisory-locks.js';
import { Database, sql } from '../database/database.js';
import type { Task } from './dto/task.dto.js';
import { TASK_LIMIT_SQLSTATE, TaskLimitReachedError } from './task.errors.js';
import { TASK_COLUMNS } from './task.schema.js';
import { assignableSql, memberSql, type Role } from '../lists/roles.js';

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

/** The list a placement runs in, and the caller's role there (and in the list a move goes into: null when not a member). */
export interface LockedList {
  list_id: string;
  role: Role;
  into_role?: Role | null;
}

const COLUMNS = TASK_COLUMNS.join(', ');
const LOCK = (list: string) => `pg_advisory_xact_lock(${LOCK_CLASS.taskOrder}, hashtext(${list}::text))`;

/**
 * The SQL of the task tree and its positions: a list's ordering lock, tree rows locked for a
 * placement, siblings around a gap, respacing and moves. Each runs in the caller's transaction,
 * which holds the list's ordering lock (TaskOrdering.locked), taken by a statement that also reads
 * the caller's role there: the statements after it are scoped by that list.
 */
@Injectable()
export class PositionsRepository {
  private readonly maxTasks: number;

  constructor(
    private readonly db: Database,
    config: ConfigService<Env, true>,
  ) {
    this.maxTasks = config.get('MAX_TASKS_PER_USER', { infer: true });
  }

  /**
   * Takes the ordering lock of list `list` (null: the caller's inbox, made when missing) until the
   * transaction ends (again in the same transaction: at once), when the caller is a member; the
   * list and the caller's role, or undefined when not a member (no lock then).
   */
  async lockList(userId: string, list: string | null): Promise<LockedList | undefined> {
    const [row] = await this.db.rows<LockedList>(
      sql(
        // The caller's own inbox needs no membership row read (one inbox_of just made is not in
        // this statement's snapshot yet): its owner is the caller.
        `WITH target AS MATERIALIZED (SELECT COALESCE($2::uuid, inbox_of($1)) AS id)
         SELECT target.id AS list_id, CASE WHEN $2::uuid IS NULL THEN 'owner' ELSE m.role END AS role,
                ${LOCK('target.id')} IS NULL AS locked
           FROM target LEFT JOIN list_members m ON m.list_id = target.id AND m.user_id = $1
          WHERE $2::uuid IS NULL OR m.role IS NOT NULL`,
        [userId, list],
      ),
    );
    return row;
  }

  /**
   * As lockList, for the list of task `id` (undefined: the caller cannot see the task); with `into`,
   * the ordering lock of that list too (when the caller is a member of it), the two taken in list id
   * order, and the caller's role there (`into_role`).
   */
  async lockListOf(userId: string, id: string, into?: string): Promise<LockedList | undefined> {
    if (into !== undefined) {
      const [both] = await this.db.rows<LockedList>(
        sql(
          `WITH src AS MATERIALIZED (
             SELECT m.list_id, m.role FROM tasks t JOIN list_members m ON m.list_id = t.list_id AND m.user_id = $1
              WHERE t.id = $2),
           dst AS MATERIALIZED (SELECT m.role FROM list_members m WHERE m.list_id = $3::uuid AND m.user_id = $1),
           locked AS MATERIALIZED (
             SELECT bool_and(${LOCK('u.id')} IS NULL) AS locked
               FROM (SELECT list_id AS id FROM src UNION SELECT $3::uuid FROM dst ORDER BY 1) u)
           SELECT src.list_id, src.role, (SELECT role FROM dst) AS into_role, locked.locked FROM src, locked`,
          [userId, id, into],
        ),
      );
      return both;
    }
    const [row] = await this.db.rows<LockedList>(
      sql(
        `SELECT m.list_id, m.role, ${LOCK('m.list_id')} IS NULL AS locked
           FROM tasks t JOIN list_members m ON m.list_id = t.list_id AND m.user_id = $1
          WHERE t.id = $2`,
        [userId, id],
      ),
    );
    return row;
  }

  /**
   * Takes, in list id order, the ordering locks of the lists a batch will write: those of the tasks
   * `ids` the caller can see, the lists `lists` the caller is a member of, and the caller's inbox when
   * `inbox` (once it exists).
   */
  async lockLists(userId: string, ids: string[], lists: string[], inbox: boolean): Promise<void> {
    await this.db.rows(
      sql(
        `SELECT ${LOCK('u.id')} IS NULL FROM (
           SELECT t.list_id AS id FROM tasks t WHERE t.id = ANY($2::uuid[]) AND ${memberSql('t.list_id', '$1')}
           UNION SELECT m.list_id FROM list_members m WHERE m.user_id = $1 AND m.list_id = ANY($3::uuid[])
           UNION SELECT l.id FROM lists l WHERE $4 AND l.owner_id = $1 AND l.is_inbox
           ORDER BY 1) u`,
        [userId, ids, lists, inbox],
      ),
    );
  }

  /**
   * The tasks of list `list` among `ids`, by id, with whether each has subtasks, locked until the
   * transaction ends: writes that do not take the ordering lock (PATCH, DELETE) wait, so the
   * versions read here hold for the write that follows, and a parent cannot vanish meanwhile.
   */
  async treeRows(list: string, ids: string[]): Promise<Map<string, TreeRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.rows<TreeRow>(
      sql(
        `SELECT id, parent_id, position, version,
                EXISTS (SELECT 1 FROM tasks c WHERE c.parent_id = t.id) AS has_subtasks
           FROM tasks t WHERE list_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE`,
        [list, ids],
      ),
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * Locks, in id order, the tasks among `ids` the caller can see and the subtasks of those among
   * `parents` (what a batch would otherwise lock in the middle: see BatchService).
   */
  async lockRows(userId: string, ids: string[], parents: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.rows(
      sql(
        `SELECT 1 FROM tasks t WHERE (id = ANY($2::uuid[]) OR parent_id = ANY($3::uuid[]))
            AND ${memberSql('t.list_id', '$1')}
          ORDER BY id FOR UPDATE OF t`,
        [userId, ids, parents],
      ),
    );
  }

  /**
   * At most `limit` siblings in list `list` under `parent` (null: top level) nearest to the key `key`
   * on one side: `before` (at or before it, nearest first; none when `key` is null: the list's
   * start), or `after` (strictly after it; from the list's start when `key` is null). `moving` is
   * left out.
   */
  async nearest(
    list: string,
    parent: string | null,
    moving: string | null,
    side: 'before' | 'after',
    key: string | null,
    limit: number,
  ): Promise<Sibling[]> {
    if (side === 'before' && key === null) return [];
    const siblings = `list_id = $1 AND parent_id ${parent === null ? 'IS NULL AND $2::uuid IS NULL' : '= $2'} AND id IS DISTINCT FROM $3`;
    const [op, dir] = side === 'before' ? ['<=', 'DESC'] : ['>', 'ASC'];
    const bound = key === null ? ' AND $4::varchar IS NULL' : ` AND position ${op} $4`;
    return this.db.rows<Sibling>(
      sql(`SELECT id, position FROM tasks WHERE ${siblings}${bound} ORDER BY position ${dir} LIMIT $5`, [
        list,
        parent,
        moving,
        key,
        limit,
      ]),
    );
  }

  /**
   * Gives `rewritten` (tasks of list `list`) their new keys (each a change: version +1), `moving`
   * stepping out of the way too: first every one of them off its key (a unique index checks each row
   * as it is written), then the new keys.
   */
  async respace(userId: string, list: string, rewritten: Sibling[], moving: string | null): Promise<void> {
    const ids = rewritten.map((r) => r.id);
    await this.db.write(
      userId,
      sql(`UPDATE tasks SET position = '~' || id::text WHERE list_id = $1 AND id = ANY($2::uuid[])`, [
        list,
        moving ? [...ids, moving] : ids,
      ]),
    );
    await this.db.write(
      userId,
      sql(
        `UPDATE tasks t SET position = v.position, version = t.version + 1, updated_at = now()
           FROM unnest($2::uuid[], $3::text[]) AS v(id, position) WHERE t.list_id = $1 AND t.id = v.id`,
        [list, ids, rewritten.map((r) => r.position)],
      ),
    );
  }

  /**
   * Moves top-level task `id` of list `from`, with its subtasks, into list `into`: the task under
   * `parent` at `position` there, the subtasks under it as before, each a change (version +1; the
   * change trigger moves it into the new owner's sequence). One statement, so the subtasks' rows
   * carry the new list themselves (the parent reference's cascade then finds nothing left to do)
   * and take their version. An `assignee_id` who is not a member of `into` is cleared. The new
   * owner's MAX_TASKS_PER_USER is set for the transaction: the counter trigger refuses a row beyond
   * it (TaskLimitReachedError, and the transaction is undone). The moved task, or null when it is
   * not there.
   */
  async moveToList(
    userId: string,
    from: string,
    into: string,
    id: string,
    parent: string | null,
    position: string,
  ): Promise<Task | null> {
    try {
      const { rows } = await this.db.write<Task>(
        userId,
        sql(
          `WITH lim AS (SELECT set_config('tasks.max_per_user', $6, true))
           UPDATE tasks SET list_id = $3,
                  parent_id = CASE WHEN id = $1 THEN $4::uuid ELSE parent_id END,
                  position = CASE WHEN id = $1 THEN $5 ELSE position END,
                  assignee_id = CASE WHEN ${assignableSql('$3::uuid', 'tasks.assignee_id')} THEN assignee_id END,
                  version = version + 1, updated_at = now()
             FROM lim WHERE (id = $1 OR parent_id = $1) AND list_id = $2
           RETURNING ${TASK_COLUMNS.map((c) => `tasks.${c}`).join(', ')}`,
          [id, from, into, parent, position, String(this.maxTasks)],
        ),
      );
      return rows.find((r) => r.id === id) ?? null;
    } catch (err) {
      if ((err as { code?: unknown }).code === TASK_LIMIT_SQLSTATE)
        throw new TaskLimitReachedError(this.maxTasks);
      throw err;
    }
  }

  /** Puts task `id` of list `list` under `parent` at `position`: one write, version +1. The task, or null when it is not there. */
  async moveTo(
    userId: string,
    list: string,
    id: string,
    parent: string | null,
    position: string,
  ): Promise<Task | null> {
    const { rows } = await this.db.write<Task>(
      userId,
      sql(
        `UPDATE tasks SET parent_id = $3, position = $4, version = version + 1, updated_at = now()
          WHERE id = $1 AND list_id = $2 RETURNING ${COLUMNS}`,
        [id, list, parent, position],
      ),
    );
    return rows[0] ?? null;
  }
}
