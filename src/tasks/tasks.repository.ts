import type { Task } from './dto/task.dto.js';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.js';
import { sqlKeyBefore } from './positions.js';
import type { SeriesRow, SeriesWrite } from './recurring.js';
import { TaskLimitReachedError } from './task.errors.js';
import { placementConflict, rethrowConflict, TaskOrdering, type Placement } from './task-ordering.js';
import { Database, sql, type Statement } from '../database/database.js';
import {
  SORTS,
  TASK_COLUMNS,
  WRITABLE_FIELDS,
  type Order,
  type Priority,
  type SortKey,
  type Status,
  type TaskChanges,
  type TaskValues,
} from './task.schema.js';

export interface ListFilters {
  status: Status;
  /** Only the subtasks of this task; null: only top-level tasks; undefined: all. */
  parent?: string | null;
  priority?: Priority;
  tag?: string;
  q?: string;
  dueAfter?: Date;
  dueBefore?: Date;
  /** Only tasks that repeat (true) or that do not (false); undefined: both. */
  recurring?: boolean;
}

export interface ListQuery extends ListFilters {
  sort: SortKey;
  order: Order;
  limit: number;
  /** Keyset position: rows strictly after this (sort key, id) in the listing's order. */
  after?: { key: string | number; id: string };
}

/** One completed occurrence of a recurring task (its history, newest first). */
export interface Completion {
  occurrence: string;
  completed_at: string;
  completed_by: string;
}

export interface TaskStats {
  total: number;
  pending: number;
  completed: number;
  overdue: number;
}

/** `%`, `_` and `\` in a search string match literally (backslash is ILIKE's default escape). */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const COLUMNS = TASK_COLUMNS.join(', ');
/**
 * What the counter trigger raises when an insert would take a user past the limit its transaction
 * set (`tasks.max_per_user`; migrations TaskLimit and ChangeSequence write the same code).
 */
export const TASK_LIMIT_SQLSTATE = 'TKLIM';
/** A plain create whose first key a concurrent writer took tries the one-statement way this often. */
const FIRST_KEY_RETRY = { attempts: 3, retryable: placementConflict };
/** Where a plain create goes: before the first top-level task (exported for tests' EXPLAIN). */
export const FIRST = Symbol('first');

/**
 * The SQL of tasks as rows (listing, reading, writing; the tree and positions are
 * PositionsRepository's), scoped by `user_id` in every statement: the service owns the rules, this
 * owns the statements. Every write is one atomic statement (`UPDATE … RETURNING`), never
 * read-modify-write in the app, made through `Database.write`: inside a transaction when the
 * caller runs in one, announced after its commit either way. Columns and sorts come from
 * task.schema.ts.
 */
@Injectable()
export class TasksRepository {
  private readonly maxTasks: number;

  constructor(
    private readonly db: Database,
    private readonly ordering: TaskOrdering,
    config: ConfigService<Env, true>,
  ) {
    this.maxTasks = config.get('MAX_TASKS_PER_USER', { infer: true });
  }

  /** The WHERE clause of a listing; `values` starts with the user id ($1) and receives the other parameters. */
  private filters(f: ListFilters, values: unknown[]): string {
    const where = ['user_id = $1'];
    const param = (v: unknown) => `$${values.push(v)}`;
    if (f.status !== 'all') where.push(f.status === 'completed' ? 'completed' : 'NOT completed');
    if (f.parent === null) where.push('parent_id IS NULL');
    else if (f.parent !== undefined) where.push(`parent_id = ${param(f.parent)}::uuid`);
    if (f.priority) where.push(`priority = ${param(f.priority)}`);
    if (f.tag) where.push(`tags @> ARRAY[${param(f.tag)}]::text[]`);
    if (f.q) {
      const q = param(likePattern(f.q));
      where.push(`(title ILIKE ${q} OR description ILIKE ${q})`);
    }
    if (f.dueAfter) where.push(`due_date >= ${param(f.dueAfter)}`);
    if (f.dueBefore) where.push(`due_date < ${param(f.dueBefore)}`);
    if (f.recurring !== undefined) where.push(`recurrence IS ${f.recurring ? 'NOT ' : ''}NULL`);
    return where.join(' AND ');
  }

  /**
   * The statements of a listing: one keyset page (`limit` + 1 rows, to know whether more remain)
   * and, when filters beyond `status` apply, the count of all matching tasks (otherwise the
   * trigger-kept `task_counts` row answers). Every sort is `(key, id)` in one direction, so the
   * row comparison against the cursor walks the sort's index: a deep page costs what the first
   * one does. (Public so tests can EXPLAIN exactly what runs.)
   */
  listQueries(userId: string, query: ListQuery): { page: Statement; count?: Statement } {
    const sort = SORTS[query.sort];
    const { expr } = sort[query.order];
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const values: unknown[] = [userId];
    let where = this.filters(query, values);
    const countValues = [...values];
    const countWhere = where;
    if (query.after) {
      values.push(query.after.key, query.after.id);
      const op = query.order === 'asc' ? '>' : '<';
      where += ` AND (${expr}, id) ${op} ($${values.length - 1}::${sort.cursorType}, $${values.length}::uuid)`;
    }
    values.push(query.limit + 1);
    const page = sql(
      `SELECT ${COLUMNS} FROM tasks WHERE ${where} ORDER BY ${expr} ${direction}, id ${direction} LIMIT $${values.length}`,
      values,
    );
    const onlyStatus =
      query.parent === undefined &&
      !query.priority &&
      !query.tag &&
      !query.q &&
      !query.dueAfter &&
      !query.dueBefore &&
      query.recurring === undefined;
    const count = onlyStatus
      ? undefined
      : sql(`SELECT count(*)::int AS n FROM tasks WHERE ${countWhere}`, countValues);
    return { page, count };
  }

  async list(userId: string, query: ListQuery): Promise<{ items: Task[]; total: number; more: boolean }> {
    const { page, count } = this.listQueries(userId, query);
    const [rows, total] = await Promise.all([
      this.db.read<Task>(userId, page),
      count
        ? this.db.read<{ n: number }>(userId, count).then(([r]) => r.n)
        : this.countByStatus(userId, query.status),
    ]);
    return { items: rows.slice(0, query.limit), total, more: rows.length > query.limit };
  }

  /** From the trigger-kept counters (migration TaskCounts): one row, whatever the number of tasks. */
  private async countByStatus(userId: string, status: Status): Promise<number> {
    const [row] = await this.db.read<{ total: string; completed: string }>(
      userId,
      sql('SELECT total, completed FROM task_counts WHERE user_id = $1', [userId]),
    );
    const total = Number(row?.total ?? 0);
    const completed = Number(row?.completed ?? 0);
    return status === 'all' ? total : status === 'completed' ? completed : total - completed;
  }

  /** The caller's task, or null (inside a transaction: what it sees, its own writes included). */
  async findOne(userId: string, id: string): Promise<Task | null> {
    const [row] = await this.db.read<Task>(
      userId,
      sql(`SELECT ${COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2`, [id, userId]),
    );
    return row ?? null;
  }

  /**
   * Inserts a task where `placement` says, unless the user already holds MAX_TASKS_PER_USER:
   * TaskLimitReachedError then, and nothing is created. A plain create (top level, first) is one
   * statement without the ordering lock (the hot path): the key below the first is made inside the
   * INSERT (sqlKeyBefore), and it is tried again when a concurrent placement took that key (inside a
   * transaction that error aborted it: PlacementConflictError, for the outermost caller to run it all
   * again); a key the SQL cannot make, and any other placement, go through TaskOrdering under the lock.
   */
  async insert(userId: string, values: TaskValues, placement: Placement): Promise<Task> {
    if (placement.parent === null && placement.after === null) {
      try {
        const task = await this.db.retrying(FIRST_KEY_RETRY, () =>
          this.insertRow(userId, values, null, FIRST),
        );
        if (task) return task;
        // A key the SQL does not make: the locked path asks the library.
      } catch (err) {
        if (!placementConflict(err) || this.db.inTransaction) rethrowConflict(err);
      }
    }
    return this.ordering.locked(
      userId,
      async () =>
        (await this.insertRow(
          userId,
          values,
          placement.parent,
          await this.ordering.placeNew(userId, placement),
        ))!,
    );
  }

  /**
   * One INSERT at `position`, or FIRST: before the first top-level task, the key made in the same
   * statement (sqlKeyBefore; undefined when it cannot be made there, and nothing is inserted).
   * The statement sets the limit for its own transaction; the counter trigger checks it (migration
   * TaskLimit), exactly, also under concurrent creates.
   */
  private async insertRow(
    userId: string,
    values: TaskValues,
    parent: string | null,
    position: string | typeof FIRST,
  ): Promise<Task | undefined> {
    try {
      const { rows } = await this.db.write<Task>(
        userId,
        this.insertStatement(userId, values, parent, position),
      );
      return rows[0];
    } catch (err) {
      if ((err as { code?: unknown }).code === TASK_LIMIT_SQLSTATE)
        throw new TaskLimitReachedError(this.maxTasks);
      throw err;
    }
  }

  /**
   * The INSERT of insertRow. FIRST reads the first top-level key once, in a MATERIALIZED CTE: as
   * a subquery in FROM it was pulled up into the key expression and the index probe ran once per
   * reference to it (15 InitPlans). Public so tests can EXPLAIN exactly what runs.
   */
  insertStatement(
    userId: string,
    values: TaskValues,
    parent: string | null,
    position: string | typeof FIRST,
  ): Statement {
    // A recurring task's series starts at its due date (its DTSTART).
    const fields = [...WRITABLE_FIELDS.map((c) => values[c]), values.recurrence ? values.due_date : null];
    const params = [userId, parent, ...fields, String(this.maxTasks)];
    const first = position === FIRST;
    if (!first) params.push(position);
    const list = (from: number, n: number) => Array.from({ length: n }, (_, i) => `$${from + i}`).join(', ');
    const limit = `$${fields.length + 3}`;
    const key = first ? 'k.position' : `$${params.length}`;
    const text =
      `WITH lim AS (SELECT set_config('tasks.max_per_user', ${limit}, true))` +
      (first
        ? `, f AS MATERIALIZED (SELECT (SELECT position FROM tasks WHERE user_id = $1 AND parent_id IS NULL ` +
          `ORDER BY position LIMIT 1) AS b), k AS (SELECT ${sqlKeyBefore('f.b')} AS position FROM f)`
        : '') +
      ` INSERT INTO tasks (user_id, parent_id, position, ${WRITABLE_FIELDS.join(', ')}, series_start) ` +
      `SELECT $1, $2::uuid, ${key}, ${list(3, fields.length)} FROM lim${first ? ', k WHERE k.position IS NOT NULL' : ''} ` +
      `RETURNING ${COLUMNS}`;
    return sql(text, params);
  }

  /**
   * Changes the given columns in one statement; `version` (+1) and `updated_at` move with them.
   * With `versions`, only when the current version is one of them (compare-and-set); with
   * `plainOnly`, only when the task does not repeat (a recurring one needs the careful path).
   * `recurrence: null` ends a series (its start goes with it). Null when nothing matched.
   */
  update(
    userId: string,
    id: string,
    changes: TaskChanges,
    versions?: number[],
    plainOnly = false,
  ): Promise<Task | null> {
    const values: unknown[] = [id, userId];
    const set = WRITABLE_FIELDS.filter((c) => changes[c] !== undefined).map(
      (c) => `${c} = $${values.push(changes[c])}`,
    );
    if (changes.recurrence === null) set.push('series_start = NULL');
    return this.updateWhere(userId, set, values, versions, plainOnly);
  }

  /**
   * Flips `completed` (in SQL, so concurrent toggles never lose one), or sets it when a value is
   * given; only on a task that does not repeat (null otherwise: completing one advances it).
   */
  setCompleted(userId: string, id: string, completed?: boolean, versions?: number[]): Promise<Task | null> {
    const values: unknown[] = [id, userId];
    const set =
      completed === undefined ? 'completed = NOT completed' : `completed = $${values.push(completed)}`;
    return this.updateWhere(userId, [set], values, versions, true);
  }

  private async updateWhere(
    userId: string,
    set: string[],
    values: unknown[],
    versions?: number[],
    plainOnly = false,
  ): Promise<Task | null> {
    const condition =
      (versions ? ` AND version = ANY($${values.push(versions)}::int[])` : '') +
      (plainOnly ? ' AND recurrence IS NULL' : '');
    const { rows } = await this.db.write<Task>(
      userId,
      sql(
        `UPDATE tasks SET ${[...set, 'version = version + 1', 'updated_at = now()'].join(', ')} ` +
          `WHERE id = $1 AND user_id = $2${condition} RETURNING ${COLUMNS}`,
        values,
      ),
    );
    return rows[0] ?? null;
  }

  /** The caller's task with its series' start, or null (a read a replica may answer). */
  async findSeries(userId: string, id: string): Promise<SeriesRow | null> {
    const [row] = await this.db.read<SeriesRow>(
      userId,
      sql(`SELECT ${COLUMNS}, series_start FROM tasks WHERE id = $1 AND user_id = $2`, [id, userId]),
    );
    return row ?? null;
  }

  /**
   * The caller's task with its series' start, locked until the transaction ends, or null; its
   * subtasks are locked too, all in id order (as a batch locks rows), since completing resets them.
   */
  async lockSeries(userId: string, id: string): Promise<SeriesRow | null> {
    const rows = await this.db.rows<SeriesRow & { own: boolean }>(
      sql(
        `SELECT ${COLUMNS}, series_start, id = $1 AS own FROM tasks
          WHERE user_id = $2 AND (id = $1 OR parent_id = $1) ORDER BY id FOR UPDATE`,
        [id, userId],
      ),
      userId,
    );
    const row: Partial<SeriesRow & { own: boolean }> | undefined = rows.find((r) => r.own);
    if (!row) return null;
    delete row.own;
    return row as SeriesRow;
  }

  /**
   * A recurring task's write, in one statement: the columns of `write.set` (version +1), the
   * completion it records (once per occurrence: a second one is ignored), and its subtasks made not
   * completed again (each a change, version +1). The task is locked (lockSeries).
   */
  async writeSeries(userId: string, id: string, write: SeriesWrite): Promise<Task> {
    const values: unknown[] = [id, userId];
    const param = (v: unknown) => `$${values.push(v)}`;
    const set = Object.entries(write.set).map(([column, value]) => `${column} = ${param(value)}`);
    const ctes: string[] = [];
    if (write.completed)
      ctes.push(
        `done AS (INSERT INTO task_completions (task_id, occurrence, completed_at, completed_by)
           VALUES ($1, ${param(write.completed.occurrence)}, ${param(write.completed.at)}, $2)
           ON CONFLICT DO NOTHING)`,
      );
    if (write.resetSubtasks)
      ctes.push(
        `reset AS (UPDATE tasks SET completed = false, version = version + 1, updated_at = now()
           WHERE user_id = $2 AND parent_id = $1 AND completed)`,
      );
    const { rows } = await this.db.write<Task>(
      userId,
      sql(
        `${ctes.length ? `WITH ${ctes.join(', ')} ` : ''}UPDATE tasks SET ${[...set, 'version = version + 1', 'updated_at = now()'].join(', ')} ` +
          `WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
        values,
      ),
    );
    return rows[0];
  }

  /**
   * A page of the task's completions, newest first (by `completed_at`, then `occurrence`), after the
   * keyset position `after`; `limit` + 1 rows, to know whether more remain. The caller checked the task is theirs.
   */
  completions(
    taskId: string,
    limit: number,
    after?: { completed_at: string; occurrence: string },
  ): Statement {
    const values: unknown[] = [taskId];
    const where = after
      ? ` AND (completed_at, occurrence) < ($${values.push(after.completed_at)}::timestamptz, $${values.push(after.occurrence)}::timestamptz)`
      : '';
    values.push(limit + 1);
    return sql(
      `SELECT occurrence, completed_at, completed_by FROM task_completions WHERE task_id = $1${where}
        ORDER BY completed_at DESC, occurrence DESC LIMIT $${values.length}`,
      values,
    );
  }

  /** The page `completions` describes, and the number of all the task's completions. */
  async completionPage(
    userId: string,
    taskId: string,
    limit: number,
    after?: { completed_at: string; occurrence: string },
  ): Promise<{ items: Completion[]; total: number; more: boolean }> {
    const [rows, [count]] = await Promise.all([
      this.db.read<Completion>(userId, this.completions(taskId, limit, after)),
      this.db.read<{ n: number }>(
        userId,
        sql('SELECT count(*)::int AS n FROM task_completions WHERE task_id = $1', [taskId]),
      ),
    ]);
    return { items: rows.slice(0, limit), total: count.n, more: rows.length > limit };
  }

  /** Deletes in one statement (only at one of `versions`, when given); false when nothing matched. */
  async delete(userId: string, id: string, versions?: number[]): Promise<boolean> {
    const values: unknown[] = [id, userId];
    const condition = versions ? ` AND version = ANY($${values.push(versions)}::int[])` : '';
    const { count } = await this.db.write(
      userId,
      sql(`DELETE FROM tasks WHERE id = $1 AND user_id = $2${condition}`, values),
    );
    return count > 0;
  }

  /**
   * Clear completed, in one statement (the caller holds the ordering lock, so no subtask joins a
   * completed parent meanwhile): the caller's completed tasks and the subtasks of completed tasks
   * (which the cascade would take anyway, but then they would not be counted). How many went.
   */
  async deleteByStatus(userId: string, status: 'completed'): Promise<number> {
    const { count } = await this.db.write(
      userId,
      sql(
        `DELETE FROM tasks WHERE user_id = $1
            AND (${status} OR parent_id IN (SELECT id FROM tasks WHERE user_id = $1 AND ${status}))`,
        [userId],
      ),
    );
    return count;
  }

  /**
   * The current version of the caller's task on the primary (in the current transaction when there
   * is one), or null: tells a stale `If-Match` from a missing task.
   */
  async currentVersion(userId: string, id: string): Promise<number | null> {
    const [row] = await this.db.rows<{ version: number }>(
      sql('SELECT version FROM tasks WHERE id = $1 AND user_id = $2', [id, userId]),
      userId,
    );
    return row?.version ?? null;
  }

  /** One statement: the counters row, plus the overdue count from the partial index of pending tasks. */
  async stats(userId: string): Promise<TaskStats> {
    const [row] = await this.db.read<{ total: number; completed: number; overdue: number }>(
      userId,
      sql(
        `SELECT COALESCE(c.total, 0)::int AS total, COALESCE(c.completed, 0)::int AS completed,
                (SELECT count(*) FROM tasks t
                  WHERE t.user_id = $1 AND NOT t.completed AND t.due_date < now())::int AS overdue
           FROM (SELECT 1) AS one LEFT JOIN task_counts c ON c.user_id = $1`,
        [userId],
      ),
    );
    return {
      total: row.total,
      pending: row.total - row.completed,
      completed: row.completed,
      overdue: row.overdue,
    };
  }
}
