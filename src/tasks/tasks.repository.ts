import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository, SelectQueryBuilder } from 'typeorm';
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

  async insert(userId: string, values: Required<TaskChanges>): Promise<Task> {
    const result = await this.tasks
      .createQueryBuilder()
      .insert()
      .into(Task)
      .values({ ...values, user_id: userId })
      .returning('*')
      .execute();
    return this.tasks.create((result.raw as Task[])[0]);
  }

  /** Changes the given columns; `version` and `updated_at` move with them. Null when no such task. */
  async update(userId: string, id: string, changes: TaskChanges): Promise<Task | null> {
    return this.updateWhere(userId, id, changes);
  }

  /** Flips `completed`, or sets it when a value is given. Null when no such task. */
  async setCompleted(userId: string, id: string, completed?: boolean): Promise<Task | null> {
    return this.updateWhere(userId, id, { completed: completed ?? (() => 'NOT completed') });
  }

  private async updateWhere(
    userId: string,
    id: string,
    changes: Omit<TaskChanges, 'completed'> & { completed?: boolean | (() => string) },
  ): Promise<Task | null> {
    const result = await this.tasks
      .createQueryBuilder()
      .update(Task)
      .set(changes)
      .where('id = :id AND user_id = :userId', { id, userId })
      .returning('*')
      .execute();
    const row = (result.raw as Task[])[0];
    return row ? this.tasks.create(row) : null;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const result = await this.tasks
      .createQueryBuilder()
      .delete()
      .from(Task)
      .where('id = :id AND user_id = :userId', { id, userId })
      .execute();
    return (result.affected ?? 0) > 0;
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
