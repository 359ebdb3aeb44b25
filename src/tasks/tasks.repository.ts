import type { Task } from './dto/task.dto.js';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.js';
import { sqlKeyBefore } from './positions.js';
import type { SeriesRow, SeriesWrite } from './recurring.js';
import {
  InvalidAssigneeError,
  InvalidPlacementError,
  TASK_LIMIT_SQLSTATE,
  TaskLimitReachedError,
  TaskNotFoundError,
} from './task.errors.js';
import { ListNotFoundError } from '../lists/list.errors.js';
import { assignableSql, memberSql, writerSql, type Role } from '../lists/roles.js';
import {
  placementConflict,
  rethrowConflict,
  TaskOrdering,
  type OrderingTarget,
  type Placement,
} from './task-ordering.js';
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
  /** Only the tasks of this list (the caller must be a member: else ListNotFoundError); undefined: every list the caller is a member of. */
  list?: string;
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
  /** Only the tasks assigned to this user; null: only unassigned ones; undefined: all. */
  assignee?: string | null;
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

/** The single read (`GET /api/tasks/{id}`), built once: the hottest statement keeps one text. */
const FIND_ONE = `SELECT ${COLUMNS} FROM tasks WHERE id = $1 AND ${memberSql('tasks.list_id', '$2')}`;
/** SQL: task $1 is in a list user $2 is a member of (the completions' check). */
const VISIBLE_TASK = `EXISTS (SELECT 1 FROM tasks t WHERE t.id = $1 AND ${memberSql('t.list_id', '$2')})`;

/**
 * SQL ($1: the user): one row, `total` and `completed` of every task the user can see. From their
 * counter row (the tasks of the lists they own) when they are a member of no list but their own;
 * else counted over their memberships (the WHERE spares the join when it is not needed, the HAVING
 * keeps the aggregate's row out then).
 */
const VISIBLE_COUNTS = `
  SELECT COALESCE(c.total, 0)::int AS total, COALESCE(c.completed, 0)::int AS completed
    FROM (SELECT 1) AS one LEFT JOIN task_counts c ON c.user_id = $1
   WHERE NOT EXISTS (SELECT 1 FROM list_members o WHERE o.user_id = $1 AND o.role <> 'owner')
  UNION ALL
  SELECT count(*)::int, (count(*) FILTER (WHERE t.completed))::int
    FROM list_members m JOIN tasks t ON t.list_id = m.list_id
   WHERE m.user_id = $1 AND EXISTS (SELECT 1 FROM list_members o WHERE o.user_id = $1 AND o.role <> 'owner')
  HAVING EXISTS (SELECT 1 FROM list_members o WHERE o.user_id = $1 AND o.role <> 'owner')`;
/** A plain create whose first key a concurrent writer took tries the one-statement way this often. */
const FIRST_KEY_RETRY = { attempts: 3, retryable: placementConflict };
/** Where a plain create goes: before the first top-level task (exported for tests' EXPLAIN). */
export const FIRST = Symbol('first');

/**
 * The SQL of tasks as rows (listing, reading, writing; the tree, positions and moves are
 * PositionsRepository's), each statement carrying the caller's membership (or writer) check on the
 * task's list (lists/roles.ts), and an assignee's membership check where it writes one: the service
 * owns the rules, this owns the statements. Every write is one atomic statement (`UPDATE … RETURNING`), never
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

  /**
   * The conditions of a listing beyond its lists (columns unqualified: they are the task's); `values`
   * starts with the user id ($1) and receives the other parameters.
   */
  private filters(f: ListFilters, values: unknown[]): string[] {
    const where: string[] = [];
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
    if (f.assignee === null) where.push('assignee_id IS NULL');
    else if (f.assignee !== undefined) where.push(`assignee_id = ${param(f.assignee)}`);
    return where;
  }

  /**
   * The statements of a listing: one keyset page (`limit` + 1 rows, to know whether more remain)
   * and the count of all matching tasks, each carrying the membership check. In one list (`list`):
   * the tasks of that list when the caller is a member (`pk_list_members` probed once), walking the
   * sort's `(list_id, key, id)` index; the count says whether the caller is a member at all. Across
   * the caller's lists: the first `limit` + 1 of each list (a LATERAL walk of each list's index)
   * merged; unfiltered or status-only, the count comes from the owner's counters when every list the
   * caller is in is their own (otherwise a count). Every sort is `(key, id)` in one direction, so the
   * row comparison against the cursor walks the index: a deep page costs what the first one does.
   * (Public so tests can EXPLAIN exactly what runs.)
   */
  listQueries(userId: string, query: ListQuery): { page: Statement; count?: Statement } {
    const sort = SORTS[query.sort];
    const { expr } = sort[query.order];
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const values: unknown[] = [userId];
    const list = query.list === undefined ? undefined : `$${values.push(query.list)}::uuid`;
    const conditions = this.filters(query, values);
    const countValues = [...values];
    const where = [...conditions];
    if (query.after) {
      values.push(query.after.key, query.after.id);
      const op = query.order === 'asc' ? '>' : '<';
      where.push(`(${expr}, id) ${op} ($${values.length - 1}::${sort.cursorType}, $${values.length}::uuid)`);
    }
    const limit = `$${values.push(query.limit + 1)}`;
    const and = (parts: string[]) => parts.map((p) => ` AND ${p}`).join('');
    const orderBy = `ORDER BY ${expr} ${direction}, id ${direction}`;
    if (list) {
      const member = memberSql(list, '$1');
      return {
        page: sql(
          `SELECT ${COLUMNS} FROM tasks WHERE list_id = ${list} AND ${member}${and(where)} ${orderBy} LIMIT ${limit}`,
          values,
        ),
        count: sql(
          `SELECT ${member} AS member,
                  (SELECT count(*) FROM tasks WHERE list_id = ${list} AND ${member}${and(conditions)})::int AS n`,
          countValues,
        ),
      };
    }
    const page = sql(
      `SELECT x.* FROM list_members m CROSS JOIN LATERAL (
         SELECT ${COLUMNS} FROM tasks WHERE list_id = m.list_id${and(where)} ${orderBy} LIMIT ${limit}
       ) x WHERE m.user_id = $1 ${orderBy} LIMIT ${limit}`,
      values,
    );
    const onlyStatus =
      query.parent === undefined &&
      !query.priority &&
      !query.tag &&
      !query.q &&
      !query.dueAfter &&
      !query.dueBefore &&
      query.recurring === undefined &&
      query.assignee === undefined;
    const count = onlyStatus
      ? undefined
      : sql(
          `SELECT count(*)::int AS n FROM list_members m JOIN tasks t ON t.list_id = m.list_id
            WHERE m.user_id = $1${and(conditions)}`,
          countValues,
        );
    return { page, count };
  }

  async list(userId: string, query: ListQuery): Promise<{ items: Task[]; total: number; more: boolean }> {
    const { page, count } = this.listQueries(userId, query);
    const [rows, total] = await Promise.all([
      this.db.read<Task>(userId, page),
      count
        ? this.db.read<{ n: number; member?: boolean }>(userId, count).then(([r]) => {
            if (r.member === false) throw new ListNotFoundError();
            return r.n;
          })
        : this.countByStatus(userId, query.status),
    ]);
    return { items: rows.slice(0, query.limit), total, more: rows.length > query.limit };
  }

  /**
   * The caller's visible tasks by status, in one statement: from the trigger-kept counters of the
   * lists they own (one row, whatever the number of tasks) when every list they are in is their own,
   * else counted.
   */
  private async countByStatus(userId: string, status: Status): Promise<number> {
    const [row] = await this.db.read<{ total: number; completed: number }>(
      userId,
      sql(`SELECT * FROM (${VISIBLE_COUNTS}) c`, [userId]),
    );
    const { total, completed } = row;
    return status === 'all' ? total : status === 'completed' ? completed : total - completed;
  }

  /** The task, when the caller is a member of its list, or null (inside a transaction: what it sees, its own writes included). */
  async findOne(userId: string, id: string): Promise<Task | null> {
    const [row] = await this.db.read<Task>(userId, sql(FIND_ONE, [id, userId]));
    return row ?? null;
  }

  /**
   * Inserts a task into `list` (null: the caller's inbox, made if needed) where `placement` says,
   * unless the list's owner already holds MAX_TASKS_PER_USER: TaskLimitReachedError then, and nothing
   * is created. A plain create (top level, first) is one statement without the ordering lock (the hot
   * path): the caller's role in the list is checked and the key below the first is made inside the
   * INSERT (sqlKeyBefore), tried again when a concurrent placement took that key (inside a transaction
   * that error aborted it: PlacementConflictError, for the outermost caller to run it all again). A
   * key the SQL cannot make, a list the caller may not write (the locked path says why), an
   * assignee who is not a member there (InvalidAssigneeError from the locked path), and any other
   * placement go through TaskOrdering under the list's lock.
   */
  async insert(userId: string, list: string | null, values: TaskValues, placement: Placement): Promise<Task> {
    if (placement.parent === null && placement.after === null) {
      try {
        const task = await this.db.retrying(FIRST_KEY_RETRY, () =>
          this.insertRow(userId, list, values, null, FIRST),
        );
        if (task) return task;
        // A key the SQL does not make, or no right to write there: the locked path.
      } catch (err) {
        if (!placementConflict(err) || this.db.inTransaction) rethrowConflict(err);
      }
    }
    // A subtask is made in its parent's list: without a list_id, the parent says which (a viewer of
    // that list is refused there, 403, like any write in it).
    const byParent = list === null && placement.parent !== null;
    const where: OrderingTarget = byParent ? { task: placement.parent! } : { list };
    return this.ordering
      .locked(userId, where, async (target) => {
        const task = await this.insertRow(
          userId,
          target,
          values,
          placement.parent,
          await this.ordering.placeNew(userId, target, placement),
        );
        // The lock's statement found the caller a writer there, and the key is given: only the
        // assignee's membership can have kept the row out.
        if (!task) throw new InvalidAssigneeError();
        return task;
      })
      .catch((err: unknown) => {
        // A parent the caller cannot see is, for a create, a bad parent_id like an unknown one.
        if (byParent && err instanceof TaskNotFoundError)
          throw new InvalidPlacementError('parent_id', InvalidPlacementError.unknown);
        throw err;
      });
  }

  /**
   * One INSERT at `position`, or FIRST: before the first top-level task, the key made in the same
   * statement (sqlKeyBefore; undefined when it cannot be made there, and nothing is inserted).
   * The statement sets the limit for its own transaction; the counter trigger checks it (migration
   * TaskLimit), exactly, also under concurrent creates.
   */
  private async insertRow(
    userId: string,
    list: string | null,
    values: TaskValues,
    parent: string | null,
    position: string | typeof FIRST,
  ): Promise<Task | undefined> {
    try {
      const { rows } = await this.db.write<Task>(
        userId,
        this.insertStatement(userId, list, values, parent, position),
      );
      return rows[0];
    } catch (err) {
      if ((err as { code?: unknown }).code === TASK_LIMIT_SQLSTATE)
        throw new TaskLimitReachedError(this.maxTasks);
      throw err;
    }
  }

  /**
   * The INSERT of insertRow. Into `list` only when the caller is one of its writers, and with an
   * `assignee_id` only when they are a member of the target list (both checked in the statement); without a list, the trigger puts the task into the caller's inbox (migration Lists).
   * FIRST reads the list's first top-level key once, in a MATERIALIZED CTE: as a subquery in FROM
   * it was pulled up into the key expression and the index probe ran once per reference to it (15
   * InitPlans). Public so tests can EXPLAIN exactly what runs.
   */
  insertStatement(
    userId: string,
    list: string | null,
    values: TaskValues,
    parent: string | null,
    position: string | typeof FIRST,
  ): Statement {
    // A recurring task's series starts at its due date (its DTSTART).
    const fields = [...WRITABLE_FIELDS.map((c) => values[c]), values.recurrence ? values.due_date : null];
    const params = [userId, parent, list, ...fields, String(this.maxTasks)];
    const first = position === FIRST;
    if (!first) params.push(position);
    const placeholders = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => `$${from + i}`).join(', ');
    const limit = `$${fields.length + 4}`;
    const key = first ? 'k.position' : `$${params.length}`;
    const target = `COALESCE($3::uuid, (SELECT id FROM lists WHERE owner_id = $1 AND is_inbox))`;
    const assignee = `$${4 + WRITABLE_FIELDS.indexOf('assignee_id')}::varchar`;
    const conditions = [
      `($3::uuid IS NULL OR ${writerSql('$3::uuid', '$1')})`,
      `(${assignee} IS NULL OR ${assignableSql(target, assignee)})`,
    ];
    if (first) conditions.unshift('k.position IS NOT NULL');
    const text =
      `WITH lim AS (SELECT set_config('tasks.max_per_user', ${limit}, true))` +
      (first
        ? `, f AS MATERIALIZED (SELECT (SELECT position FROM tasks WHERE list_id = ${target} AND parent_id IS NULL ` +
          `ORDER BY position LIMIT 1) AS b), k AS (SELECT ${sqlKeyBefore('f.b')} AS position FROM f)`
        : '') +
      ` INSERT INTO tasks (user_id, parent_id, list_id, position, ${WRITABLE_FIELDS.join(', ')}, series_start) ` +
      `SELECT $1::varchar, $2::uuid, $3::uuid, ${key}, ${placeholders(4, fields.length)} FROM lim${first ? ', k' : ''} ` +
      `WHERE ${conditions.join(' AND ')} RETURNING ${COLUMNS}`;
    return sql(text, params);
  }

  /**
   * Changes the given columns in one statement, when the caller may write the task's list;
   * `version` (+1) and `updated_at` move with them. With `versions`, only when the current version
   * is one of them (compare-and-set); with `plainOnly`, only when the task does not repeat (a
   * recurring one needs the careful path). `recurrence: null` ends a series (its start goes with
   * it); an `assignee_id` only when they are a member of the task's list. Null when nothing matched
   * (`access` tells why).
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
    const assignee = changes.assignee_id
      ? ` AND ${assignableSql('tasks.list_id', `$${values.push(changes.assignee_id)}::varchar`)}`
      : '';
    return this.updateWhere(userId, set, values, versions, plainOnly, assignee);
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
    assignee = '',
  ): Promise<Task | null> {
    const condition =
      (versions ? ` AND version = ANY($${values.push(versions)}::int[])` : '') +
      (plainOnly ? ' AND recurrence IS NULL' : '') +
      assignee;
    const { rows } = await this.db.write<Task>(
      userId,
      sql(
        `UPDATE tasks SET ${[...set, 'version = version + 1', 'updated_at = now()'].join(', ')} ` +
          `WHERE id = $1 AND ${writerSql('tasks.list_id', '$2')}${condition} RETURNING ${COLUMNS}`,
        values,
      ),
    );
    return rows[0] ?? null;
  }

  /**
   * The task with its series' start, when the caller is a member of its list, or null (a read a
   * replica may answer).
   */
  async findSeries(userId: string, id: string): Promise<SeriesRow | null> {
    const [row] = await this.db.read<SeriesRow>(
      userId,
      sql(
        `SELECT ${COLUMNS}, series_start FROM tasks WHERE id = $1 AND ${memberSql('tasks.list_id', '$2')}`,
        [id, userId],
      ),
    );
    return row ?? null;
  }

  /**
   * The task with its series' start, locked until the transaction ends, when the caller may write
   * its list, or null (`access` tells why); its subtasks (same list) are locked too, all in id order
   * (as a batch locks rows), since completing resets them.
   */
  async lockSeries(userId: string, id: string): Promise<SeriesRow | null> {
    const rows = await this.db.rows<SeriesRow & { own: boolean }>(
      sql(
        `SELECT ${COLUMNS}, series_start, id = $1 AS own FROM tasks
          WHERE (id = $1 OR parent_id = $1) AND ${writerSql('tasks.list_id', '$2')} ORDER BY id FOR UPDATE`,
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
   * completed again (each a change in the list owner's sequence, version +1), when the caller may
   * write the task's list; `completed_by` is the caller. The task is locked (lockSeries).
   */
  async writeSeries(userId: string, id: string, write: SeriesWrite): Promise<Task | null> {
    const values: unknown[] = [id, userId];
    const param = (v: unknown) => `$${values.push(v)}`;
    const set = Object.entries(write.set).map(([column, value]) => `${column} = ${param(value)}`);
    const assignee = write.set.assignee_id
      ? ` AND ${assignableSql('tasks.list_id', `${param(write.set.assignee_id)}::varchar`)}`
      : '';
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
           WHERE parent_id = $1 AND completed AND ${writerSql('tasks.list_id', '$2')})`,
      );
    const { rows } = await this.db.write<Task>(
      userId,
      sql(
        `${ctes.length ? `WITH ${ctes.join(', ')} ` : ''}UPDATE tasks SET ${[...set, 'version = version + 1', 'updated_at = now()'].join(', ')} ` +
          `WHERE id = $1 AND ${writerSql('tasks.list_id', '$2')}${assignee} RETURNING ${COLUMNS}`,
        values,
      ),
    );
    return rows[0] ?? null;
  }

  /**
   * A page of the task's completions, newest first (by `completed_at`, then `occurrence`), after the
   * keyset position `after`; `limit` + 1 rows, to know whether more remain; none when the caller is
   * not a member of the task's list.
   */
  completions(
    userId: string,
    taskId: string,
    limit: number,
    after?: { completed_at: string; occurrence: string },
  ): Statement {
    const values: unknown[] = [taskId, userId];
    const where = after
      ? ` AND (completed_at, occurrence) < ($${values.push(after.completed_at)}::timestamptz, $${values.push(after.occurrence)}::timestamptz)`
      : '';
    values.push(limit + 1);
    return sql(
      `SELECT occurrence, completed_at, completed_by FROM task_completions WHERE task_id = $1 AND ${VISIBLE_TASK}${where}
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
      this.db.read<Completion>(userId, this.completions(userId, taskId, limit, after)),
      this.db.read<{ n: number }>(
        userId,
        sql(`SELECT count(*)::int AS n FROM task_completions WHERE task_id = $1 AND ${VISIBLE_TASK}`, [
          taskId,
          userId,
        ]),
      ),
    ]);
    return { items: rows.slice(0, limit), total: count.n, more: rows.length > limit };
  }

  /** Deletes in one statement when the caller may write the task's list (only at one of `versions`, when given); false when nothing matched. */
  async delete(userId: string, id: string, versions?: number[]): Promise<boolean> {
    const values: unknown[] = [id, userId];
    const condition = versions ? ` AND version = ANY($${values.push(versions)}::int[])` : '';
    const { count } = await this.db.write(
      userId,
      sql(`DELETE FROM tasks WHERE id = $1 AND ${writerSql('tasks.list_id', '$2')}${condition}`, values),
    );
    return count > 0;
  }

  /**
   * Clear completed in list `list`, in one statement (the caller holds the list's ordering lock, so
   * no subtask joins a completed parent meanwhile): its completed tasks and the subtasks of completed
   * tasks (which the cascade would take anyway, but then they would not be counted), when the caller
   * may write the list. How many went.
   */
  async deleteByStatus(userId: string, list: string, status: 'completed'): Promise<number> {
    const { count } = await this.db.write(
      userId,
      sql(
        `DELETE FROM tasks WHERE list_id = $2 AND ${writerSql('$2', '$1')}
            AND (${status} OR parent_id IN (SELECT id FROM tasks WHERE list_id = $2 AND ${status}))`,
        [userId, list],
      ),
    );
    return count;
  }

  /**
   * The caller's role in the task's list and the task's current version, on the primary (in the
   * current transaction when there is one), and whether `assignee` (when given) is a member of that
   * list, or null when the caller cannot see it: tells a viewer, a stale `If-Match` and an assignee
   * from elsewhere from a missing task, after a write matched nothing.
   */
  async access(
    userId: string,
    id: string,
    assignee?: string | null,
  ): Promise<{ version: number; role: Role; assignable: boolean } | null> {
    const [row] = await this.db.rows<{ version: number; role: Role; assignable: boolean }>(
      sql(
        `SELECT t.version, m.role, ($3::varchar IS NULL OR ${memberSql('t.list_id', '$3::varchar')}) AS assignable
           FROM tasks t JOIN list_members m ON m.list_id = t.list_id AND m.user_id = $2
          WHERE t.id = $1`,
        [id, userId, assignee ?? null],
      ),
      userId,
    );
    return row ?? null;
  }

  /** The task and the caller's role in its list, when the caller is a member of it, or null. */
  async findWithRole(userId: string, id: string): Promise<{ task: Task; role: Role } | null> {
    const [row] = await this.db.rows<Task & { member_role: Role }>(
      sql(
        `SELECT ${TASK_COLUMNS.map((c) => `t.${c}`).join(', ')}, m.role AS member_role
           FROM tasks t JOIN list_members m ON m.list_id = t.list_id AND m.user_id = $2 WHERE t.id = $1`,
        [id, userId],
      ),
      userId,
    );
    if (!row) return null;
    const { member_role: role, ...task } = row;
    return { task, role };
  }

  /**
   * One statement. In one list (the caller a member, else ListNotFoundError): its tasks counted.
   * Across the caller's lists: the counters as for a listing (VISIBLE_COUNTS), plus the overdue
   * count from each list's partial index of pending tasks.
   */
  async stats(userId: string, list?: string): Promise<TaskStats> {
    const statement =
      list === undefined
        ? sql(
            `SELECT c.total, c.completed,
                    (SELECT count(*) FROM tasks t JOIN list_members m ON m.list_id = t.list_id
                      WHERE m.user_id = $1 AND NOT t.completed AND t.due_date < now())::int AS overdue
               FROM (${VISIBLE_COUNTS}) c`,
            [userId],
          )
        : sql(
            `SELECT ${memberSql('$2::uuid', '$1')} AS member, count(*)::int AS total,
                    (count(*) FILTER (WHERE completed))::int AS completed,
                    (count(*) FILTER (WHERE NOT completed AND due_date < now()))::int AS overdue
               FROM tasks WHERE list_id = $2::uuid AND ${memberSql('$2::uuid', '$1')}`,
            [userId, list],
          );
    const [row] = await this.db.read<{ total: number; completed: number; overdue: number; member?: boolean }>(
      userId,
      statement,
    );
    if (row.member === false) throw new ListNotFoundError();
    return {
      total: row.total,
      pending: row.total - row.completed,
      completed: row.completed,
      overdue: row.overdue,
    };
  }
}
