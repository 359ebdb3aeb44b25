import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import type { Priority, TaskRecord } from './entities/task.entity.js';
import type { Order, SortKey, Status } from './dto/list-tasks-query.dto.js';
import { TASK_TYPES } from './timestamps.js';

/** The columns a client may write, already normalised by the service. */
export interface TaskChanges {
  title?: string;
  description?: string | null;
  completed?: boolean;
  priority?: Priority;
  due_date?: Date | null;
  tags?: string[];
}

export interface ListFilters {
  status: Status;
  priority?: Priority;
  tag?: string;
  q?: string;
  dueAfter?: Date;
  dueBefore?: Date;
}

export interface ListQuery extends ListFilters {
  sort: SortKey;
  order: Order;
  limit: number;
  /** Keyset position: rows strictly after this (sort key, id) in the listing's order. */
  after?: { key: string | number; id: string };
}

export interface TaskStats {
  total: number;
  pending: number;
  completed: number;
  overdue: number;
}

const PRIORITY_RANK = `(CASE t.priority WHEN 'low' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END)`;

/**
 * Each sort as the SQL expression it orders by, which is also what its index is built on
 * (migration ListingIndexes), and the type its cursor value is compared as. `due_date` sorts
 * missing dates as +infinity ascending and -infinity descending: last in both directions.
 */
function sortExpression(sort: SortKey, order: Order): { expr: string; type: string } {
  switch (sort) {
    case 'due_date':
      return {
        expr: `COALESCE(t.due_date, '${order === 'asc' ? 'infinity' : '-infinity'}'::timestamptz)`,
        type: 'timestamptz',
      };
    case 'priority':
      return { expr: PRIORITY_RANK, type: 'int' };
    case 'title':
      return { expr: 't.title', type: 'varchar' };
    default:
      return { expr: `t.${sort}`, type: 'timestamptz' };
  }
}

const RANK: Record<Priority, number> = { low: 1, medium: 2, high: 3 };

/** The value of `task` under `sort`, as the keyset comparison sees it (see sortExpression). */
export function sortKeyOf(task: TaskRecord, sort: SortKey, order: Order): string | number {
  switch (sort) {
    case 'due_date':
      return task.due_date ?? (order === 'asc' ? 'infinity' : '-infinity');
    case 'priority':
      return RANK[task.priority];
    case 'title':
      return task.title;
    default:
      return task[sort];
  }
}

/** `%`, `_` and `\` in a search string match literally (backslash is ILIKE's default escape). */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** One SQL statement, run as a named prepared statement (parsed once per connection). */
export interface Statement {
  name: string;
  text: string;
  values: unknown[];
}

/** Statement names by text: the texts come from the code's finite set of shapes, never from input. */
const names = new Map<string, string>();

function statement(text: string, values: unknown[]): Statement {
  let name = names.get(text);
  if (name === undefined) {
    name = `tasks_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    names.set(text, name);
  }
  return { name, text, values };
}

/** Every column, in the order of the entity: rows come back as the API's task objects. */
const COLUMNS =
  'id, user_id, title, description, completed, priority, due_date, tags, created_at, updated_at, version';
const T_COLUMNS = COLUMNS.split(', ')
  .map((c) => `t.${c}`)
  .join(', ');
/** Writable columns in a fixed order, so equal shapes of change share one prepared statement. */
const WRITABLE = ['title', 'description', 'completed', 'priority', 'due_date', 'tags'] as const;

/**
 * All SQL on the tasks table, scoped by `user_id` in every statement. TypeORM owns the model and
 * the migrations; the hot paths here are plain parameterised SQL run as named prepared statements
 * on TypeORM's own pg pool (same timeouts), which skips the ORM's per-request query building and
 * entity hydration. Timestamps are read straight into their JSON strings (no Date per column).
 * Every write is one atomic statement (`UPDATE … RETURNING`), never read-modify-write in the app.
 */
@Injectable()
export class TasksRepository {
  private readonly pool: pg.Pool;

  constructor(dataSource: DataSource) {
    this.pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
  }

  /** Runs a statement on the pool, or on `client` (a transaction's connection). */
  private async rows<T>(s: Statement, client: pg.Pool | pg.PoolClient = this.pool): Promise<T[]> {
    return (await client.query<T & pg.QueryResultRow>({ ...s, types: TASK_TYPES })).rows;
  }

  /** The WHERE clause of a listing; `values` starts with the user id ($1) and receives the other parameters. */
  private filters(f: ListFilters, values: unknown[]): string {
    const where = ['t.user_id = $1'];
    const param = (v: unknown) => `$${values.push(v)}`;
    if (f.status !== 'all') where.push(f.status === 'completed' ? 't.completed' : 'NOT t.completed');
    if (f.priority) where.push(`t.priority = ${param(f.priority)}`);
    if (f.tag) where.push(`t.tags @> ARRAY[${param(f.tag)}]::text[]`);
    if (f.q) {
      const q = param(likePattern(f.q));
      where.push(`(t.title ILIKE ${q} OR t.description ILIKE ${q})`);
    }
    if (f.dueAfter) where.push(`t.due_date >= ${param(f.dueAfter)}`);
    if (f.dueBefore) where.push(`t.due_date < ${param(f.dueBefore)}`);
    return where.join(' AND ');
  }

  /**
   * The statements of a listing: one keyset page (`limit` + 1 rows, to know whether more remain)
   * and, when filters beyond `status` apply, the count of all matching tasks (otherwise the
   * trigger-kept `task_counts` row answers). Every sort is `(key, id)` in one direction, so the
   * row comparison against the cursor walks the matching index: a deep page costs what the first
   * one does. (Public so tests can EXPLAIN exactly what runs.)
   */
  listQueries(userId: string, query: ListQuery): { page: Statement; count?: Statement } {
    const { expr, type } = sortExpression(query.sort, query.order);
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const values: unknown[] = [userId];
    let where = this.filters(query, values);
    const countValues = [...values];
    const countWhere = where;
    if (query.after) {
      values.push(query.after.key, query.after.id);
      const op = query.order === 'asc' ? '>' : '<';
      where += ` AND (${expr}, t.id) ${op} ($${values.length - 1}::${type}, $${values.length}::uuid)`;
    }
    values.push(query.limit + 1);
    const page = statement(
      `SELECT ${T_COLUMNS} FROM tasks t WHERE ${where} ORDER BY ${expr} ${direction}, t.id ${direction} LIMIT $${values.length}`,
      values,
    );
    const onlyStatus = !query.priority && !query.tag && !query.q && !query.dueAfter && !query.dueBefore;
    const count = onlyStatus
      ? undefined
      : statement(`SELECT count(*)::int AS n FROM tasks t WHERE ${countWhere}`, countValues);
    return { page, count };
  }

  async list(
    userId: string,
    query: ListQuery,
  ): Promise<{ items: TaskRecord[]; total: number; more: boolean }> {
    const { page, count } = this.listQueries(userId, query);
    const [rows, total] = await Promise.all([
      this.rows<TaskRecord>(page),
      count ? this.rows<{ n: number }>(count).then(([r]) => r.n) : this.countByStatus(userId, query.status),
    ]);
    return { items: rows.slice(0, query.limit), total, more: rows.length > query.limit };
  }

  /** From the trigger-kept counters (migration TaskCounts): one row, whatever the number of tasks. */
  private async countByStatus(userId: string, status: Status): Promise<number> {
    const [row] = await this.rows<{ total: string; completed: string }>(
      statement('SELECT total, completed FROM task_counts WHERE user_id = $1', [userId]),
    );
    const total = Number(row?.total ?? 0);
    const completed = Number(row?.completed ?? 0);
    return status === 'all' ? total : status === 'completed' ? completed : total - completed;
  }

  async findOne(userId: string, id: string): Promise<TaskRecord | null> {
    const [row] = await this.rows<TaskRecord>(
      statement(`SELECT ${COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2`, [id, userId]),
    );
    return row ?? null;
  }

  /** Inserts a task; inside `manager`'s transaction when given (idempotent creates). */
  async insert(userId: string, values: Required<TaskChanges>, manager?: EntityManager): Promise<TaskRecord> {
    const s = statement(
      `INSERT INTO tasks (user_id, ${WRITABLE.join(', ')}) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [userId, ...WRITABLE.map((c) => values[c])],
    );
    // Inside the transaction, on its own connection (TypeORM's query runner hands it out).
    const client = manager ? ((await manager.queryRunner!.connect()) as pg.PoolClient) : this.pool;
    return (await this.rows<TaskRecord>(s, client))[0];
  }

  /**
   * Changes the given columns in one statement; `version` (+1) and `updated_at` move with them.
   * With `versions`, only when the current version is one of them (compare-and-set).
   * Null when nothing matched.
   */
  update(userId: string, id: string, changes: TaskChanges, versions?: number[]): Promise<TaskRecord | null> {
    const values: unknown[] = [id, userId];
    const set = WRITABLE.filter((c) => changes[c] !== undefined).map(
      (c) => `${c} = $${values.push(changes[c])}`,
    );
    return this.updateWhere(set, values, versions);
  }

  /** Flips `completed` (in SQL, so concurrent toggles never lose one), or sets it when a value is given. */
  setCompleted(
    userId: string,
    id: string,
    completed?: boolean,
    versions?: number[],
  ): Promise<TaskRecord | null> {
    const values: unknown[] = [id, userId];
    const set =
      completed === undefined ? 'completed = NOT completed' : `completed = $${values.push(completed)}`;
    return this.updateWhere([set], values, versions);
  }

  private async updateWhere(
    set: string[],
    values: unknown[],
    versions?: number[],
  ): Promise<TaskRecord | null> {
    const condition = versions ? ` AND version = ANY($${values.push(versions)}::int[])` : '';
    const [row] = await this.rows<TaskRecord>(
      statement(
        `UPDATE tasks SET ${[...set, 'version = version + 1', 'updated_at = now()'].join(', ')} ` +
          `WHERE id = $1 AND user_id = $2${condition} RETURNING ${COLUMNS}`,
        values,
      ),
    );
    return row ?? null;
  }

  /** Deletes in one statement (only at one of `versions`, when given); false when nothing matched. */
  async delete(userId: string, id: string, versions?: number[]): Promise<boolean> {
    const values: unknown[] = [id, userId];
    const condition = versions ? ` AND version = ANY($${values.push(versions)}::int[])` : '';
    const result = await this.pool.query(
      statement(`DELETE FROM tasks WHERE id = $1 AND user_id = $2${condition}`, values),
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** The current version of the caller's task, or null: tells a stale `If-Match` (412) from a missing task (404). */
  async currentVersion(userId: string, id: string): Promise<number | null> {
    const [row] = await this.rows<{ version: number }>(
      statement('SELECT version FROM tasks WHERE id = $1 AND user_id = $2', [id, userId]),
    );
    return row?.version ?? null;
  }

  /** One statement: the counters row, plus the overdue count from the partial index of pending tasks. */
  async stats(userId: string): Promise<TaskStats> {
    const [row] = await this.rows<{ total: number; completed: number; overdue: number }>(
      statement(
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
