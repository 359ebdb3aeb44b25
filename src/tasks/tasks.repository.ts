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

export interface ListQuery {
  status: Status;
  sort: SortKey;
  order: Order;
  limit: number;
}

export interface TaskStats {
  total: number;
  pending: number;
  completed: number;
  overdue: number;
}

const PRIORITY_RANK = `(CASE t.priority WHEN 'low' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END)`;
const SORT_EXPRESSIONS: Record<SortKey, string> = {
  created_at: 't.created_at',
  updated_at: 't.updated_at',
  title: 't.title',
  due_date: 't.due_date',
  priority: PRIORITY_RANK,
};

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

  private filtered(userId: string, query: Pick<ListQuery, 'status'>): SelectQueryBuilder<Task> {
    const qb = this.scoped(userId);
    if (query.status !== 'all')
      qb.andWhere('t.completed = :completed', { completed: query.status === 'completed' });
    return qb;
  }

  async list(userId: string, query: ListQuery): Promise<{ items: Task[]; total: number }> {
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const page = this.filtered(userId, query)
      .orderBy(SORT_EXPRESSIONS[query.sort], direction, query.sort === 'due_date' ? 'NULLS LAST' : undefined)
      .addOrderBy('t.id', direction)
      .limit(query.limit);
    const [items, total] = await Promise.all([page.getMany(), this.filtered(userId, query).getCount()]);
    return { items, total };
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

  async stats(userId: string): Promise<TaskStats> {
    const row = await this.scoped(userId)
      .select('count(*)::int', 'total')
      .addSelect('(count(*) FILTER (WHERE NOT t.completed))::int', 'pending')
      .addSelect('(count(*) FILTER (WHERE t.completed))::int', 'completed')
      .addSelect('(count(*) FILTER (WHERE NOT t.completed AND t.due_date < now()))::int', 'overdue')
      .getRawOne<TaskStats>();
    return row ?? { total: 0, pending: 0, completed: 0, overdue: 0 };
  }
}
