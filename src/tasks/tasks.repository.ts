import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import { Task, type Priority } from './entities/task.entity.js';
import type { Order, SortKey, Status } from './dto/list-tasks-query.dto.js';

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
export function sortKeyOf(task: Task, sort: SortKey, order: Order): string | number {
  switch (sort) {
    case 'due_date':
      return task.due_date?.toISOString() ?? (order === 'asc' ? 'infinity' : '-infinity');
    case 'priority':
      return RANK[task.priority];
    case 'title':
      return task.title;
    default:
      return task[sort].toISOString();
  }
}

/** `%`, `_` and `\` in a search string match literally (backslash is ILIKE's default escape). */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * All SQL on the tasks table. Every statement is scoped by `user_id`, and every write is one
 * atomic statement (`UPDATE … RETURNING`), never read-modify-write in the app.
 */
@Injectable()
export class TasksRepository {
  constructor(@InjectRepository(Task) private readonly tasks: Repository<Task>) {}

  private scoped(userId: string): SelectQueryBuilder<Task> {
    return this.tasks.createQueryBuilder('t').where('t.user_id = :userId', { userId });
  }

  private filtered(userId: string, f: ListFilters): SelectQueryBuilder<Task> {
    const qb = this.scoped(userId);
    if (f.status !== 'all') qb.andWhere('t.completed = :completed', { completed: f.status === 'completed' });
    if (f.priority) qb.andWhere('t.priority = :priority', { priority: f.priority });
    if (f.tag) qb.andWhere('t.tags @> :tags', { tags: [f.tag] });
    if (f.q) qb.andWhere('(t.title ILIKE :q OR t.description ILIKE :q)', { q: likePattern(f.q) });
    if (f.dueAfter) qb.andWhere('t.due_date >= :dueAfter', { dueAfter: f.dueAfter });
    if (f.dueBefore) qb.andWhere('t.due_date < :dueBefore', { dueBefore: f.dueBefore });
    return qb;
  }

  /**
   * The statements of a listing: one keyset page (`limit` + 1 rows, to know whether more remain)
   * and, when filters beyond `status` apply, the count of all matching tasks (otherwise the
   * trigger-kept `task_counts` row answers). Every sort is `(key, id)` in one direction, so the
   * row comparison against the cursor walks the matching index: a deep page costs what the first
   * one does. (Public so tests can EXPLAIN exactly what runs.)
   */
  listQueries(
    userId: string,
    query: ListQuery,
  ): { page: SelectQueryBuilder<Task>; count?: SelectQueryBuilder<Task> } {
    const { expr, type } = sortExpression(query.sort, query.order);
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const page = this.filtered(userId, query);
    if (query.after) {
      const op = query.order === 'asc' ? '>' : '<';
      page.andWhere(`(${expr}, t.id) ${op} (CAST(:afterKey AS ${type}), CAST(:afterId AS uuid))`, {
        afterKey: query.after.key,
        afterId: query.after.id,
      });
    }
    page
      .orderBy(expr, direction)
      .addOrderBy('t.id', direction)
      .limit(query.limit + 1);
    const onlyStatus = !query.priority && !query.tag && !query.q && !query.dueAfter && !query.dueBefore;
    return { page, count: onlyStatus ? undefined : this.filtered(userId, query) };
  }

  async list(userId: string, query: ListQuery): Promise<{ items: Task[]; total: number; more: boolean }> {
    const { page, count } = this.listQueries(userId, query);
    const [rows, total] = await Promise.all([
      page.getMany(),
      count ? count.getCount() : this.countByStatus(userId, query.status),
    ]);
    return { items: rows.slice(0, query.limit), total, more: rows.length > query.limit };
  }

  /** From the trigger-kept counters (migration TaskCounts): one row, whatever the number of tasks. */
  private async countByStatus(userId: string, status: Status): Promise<number> {
    const [row] = await this.tasks.query<{ total: string; completed: string }[]>(
      'SELECT total, completed FROM task_counts WHERE user_id = $1',
      [userId],
    );
    const total = Number(row?.total ?? 0);
    const completed = Number(row?.completed ?? 0);
    return status === 'all' ? total : status === 'completed' ? completed : total - completed;
  }

  findOne(userId: string, id: string): Promise<Task | null> {
    return this.scoped(userId).andWhere('t.id = :id', { id }).getOne();
  }

  async insert(userId: string, values: Required<TaskChanges>, manager?: EntityManager): Promise<Task> {
    const result = await (manager ?? this.tasks.manager)
      .createQueryBuilder()
      .insert()
      .into(Task)
      .values({ ...values, user_id: userId })
      .returning('*')
      .execute();
    return this.tasks.create((result.raw as Task[])[0]);
  }

  /**
   * Changes the given columns in one statement; `version` (+1) and `updated_at` move with them.
   * With `versions`, only when the current version is one of them (compare-and-set).
   * Null when nothing matched.
   */
  update(userId: string, id: string, changes: TaskChanges, versions?: number[]): Promise<Task | null> {
    return this.updateWhere(userId, id, changes, versions);
  }

  /** Flips `completed` (in SQL, so concurrent toggles never lose one), or sets it when a value is given. */
  setCompleted(userId: string, id: string, completed?: boolean, versions?: number[]): Promise<Task | null> {
    return this.updateWhere(userId, id, { completed: completed ?? (() => 'NOT completed') }, versions);
  }

  private async updateWhere(
    userId: string,
    id: string,
    changes: Omit<TaskChanges, 'completed'> & { completed?: boolean | (() => string) },
    versions?: number[],
  ): Promise<Task | null> {
    const qb = this.tasks
      .createQueryBuilder()
      .update(Task)
      .set(changes)
      .where('id = :id AND user_id = :userId', { id, userId });
    if (versions) qb.andWhere('version = ANY(:versions)', { versions });
    const result = await qb.returning('*').execute();
    const row = (result.raw as Task[])[0];
    return row ? this.tasks.create(row) : null;
  }

  /** Deletes in one statement (only at one of `versions`, when given); false when nothing matched. */
  async delete(userId: string, id: string, versions?: number[]): Promise<boolean> {
    const qb = this.tasks
      .createQueryBuilder()
      .delete()
      .from(Task)
      .where('id = :id AND user_id = :userId', { id, userId });
    if (versions) qb.andWhere('version = ANY(:versions)', { versions });
    const result = await qb.execute();
    return (result.affected ?? 0) > 0;
  }

  /** The current version of the caller's task, or null: tells a stale `If-Match` (412) from a missing task (404). */
  async currentVersion(userId: string, id: string): Promise<number | null> {
    const row = await this.scoped(userId)
      .select('t.version', 'version')
      .andWhere('t.id = :id', { id })
      .getRawOne<{ version: number }>();
    return row?.version ?? null;
  }

  /** One statement: the counters row, plus the overdue count from the partial index of pending tasks. */
  async stats(userId: string): Promise<TaskStats> {
    const [row] = await this.tasks.query<{ total: number; completed: number; overdue: number }[]>(
      `SELECT COALESCE(c.total, 0)::int AS total, COALESCE(c.completed, 0)::int AS completed,
              (SELECT count(*) FROM tasks t
                WHERE t.user_id = $1 AND NOT t.completed AND t.due_date < now())::int AS overdue
         FROM (SELECT 1) AS one LEFT JOIN task_counts c ON c.user_id = $1`,
      [userId],
    );
    return {
      total: row.total,
      pending: row.total - row.completed,
      completed: row.completed,
      overdue: row.overdue,
    };
  }
}
