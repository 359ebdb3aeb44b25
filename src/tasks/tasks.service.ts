import type { Task } from './dto/task.dto.js';
import { Injectable } from '@nestjs/common';
import { fingerprint } from '../common/fingerprint.js';
import type { Tx } from '../database/database.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { decodeCursor, encodeCursor, filtersFingerprint } from './cursor.js';
import type { CreateTaskDto, ReplaceTaskDto } from './dto/create-task.dto.js';
import type { MoveTaskDto } from './dto/move-task.dto.js';
import type { ListTasksQueryDto } from './dto/list-tasks-query.dto.js';
import type { UpdateTaskDto } from './dto/update-task.dto.js';
import { parseDateTime } from './dto/validators.js';
import { PlacementConflictError, StaleTaskError, TaskNotFoundError } from './task.errors.js';
import {
  DEFAULT_LIMIT,
  DEFAULT_SORT,
  SORTS,
  present,
  withDefaults,
  type TaskChanges,
  type TaskValues,
} from './task.schema.js';
import { retrying, TaskOrdering, type Placement } from './task-ordering.js';
import { TasksRepository, type ListFilters, type TaskStats } from './tasks.repository.js';

const toDate = (value: string | null | undefined) =>
  value === undefined ? undefined : value === null ? null : parseDateTime(value);

/** The input's fields, normalised for storage (absent ones undefined). */
const normalised = (dto: UpdateTaskDto): TaskChanges => ({ ...dto, due_date: toDate(dto.due_date) });

/** Every writable field, absent ones at their defaults (create and full replacement). */
const valuesFrom = (dto: ReplaceTaskDto): TaskValues =>
  withDefaults({ ...normalised(dto), title: dto.title });

/** What a create writes, and where. */
function creation(dto: CreateTaskDto): { values: TaskValues; placement: Placement } {
  const { parent_id, after, ...fields } = dto;
  return { values: valuesFrom(fields), placement: { parent: parent_id ?? null, after: after ?? null } };
}

/** A page of tasks, the number of all that match, and the cursor of the next page while more remain. */
export interface TaskPage {
  items: Task[];
  total: number;
  next?: string;
}

/**
 * The rules of tasks: defaults, ownership (a foreign task is not found), conditional writes,
 * listing defaults. Answers with rows or throws the errors of task.errors.ts; what they become
 * in HTTP is the controller's business.
 */
@Injectable()
export class TasksService {
  constructor(
    private readonly repo: TasksRepository,
    private readonly idempotency: IdempotencyService,
    private readonly ordering: TaskOrdering,
  ) {}

  async list(userId: string, query: ListTasksQueryDto): Promise<TaskPage> {
    const sort = query.sort ?? DEFAULT_SORT;
    const order = query.order ?? SORTS[sort].defaultOrder;
    const filters: ListFilters = {
      status: query.status ?? 'all',
      parent: query.parent_id === 'none' ? null : query.parent_id,
      priority: query.priority,
      tag: query.tag,
      q: query.q,
      dueAfter: toDate(query.due_after) ?? undefined,
      dueBefore: toDate(query.due_before) ?? undefined,
    };
    const listing = filtersFingerprint({ ...filters, sort, order });
    const after = query.cursor ? decodeCursor(query.cursor, { sort, order, filters: listing }) : undefined;
    const page = await this.repo.list(userId, {
      ...filters,
      sort,
      order,
      limit: query.limit ?? DEFAULT_LIMIT,
      after,
    });
    const last = page.items.at(-1);
    const next =
      page.more && last
        ? encodeCursor({
            sort,
            order,
            filters: listing,
            key: SORTS[sort].keyOf(last, order),
            id: last.id,
          })
        : undefined;
    return { items: page.items, total: page.total, next };
  }

  async get(userId: string, id: string, tx?: Tx): Promise<Task> {
    const task = await this.repo.findOne(userId, id, tx);
    if (!task) throw new TaskNotFoundError();
    return task;
  }

  /**
   * Creates a task. With an `idempotencyKey`, the same key and body give back the task the first
   * request created (`replayed`) and create nothing; see IdempotencyService for the other outcomes.
   */
  async create(
    userId: string,
    dto: CreateTaskDto,
    idempotencyKey?: string,
  ): Promise<{ task: Task; replayed: boolean }> {
    const { values, placement } = creation(dto);
    if (idempotencyKey === undefined)
      return { task: await this.repo.insert(userId, values, placement), replayed: false };
    // The placement is part of the request (the same key under another parent is another request);
    // a plain create's fingerprint stays what it was before placements existed.
    const placed = placement.parent !== null || placement.after !== null;
    const run = () =>
      this.idempotency.run(
        userId,
        idempotencyKey,
        fingerprint(placed ? { ...values, placement } : values),
        (tx) => this.repo.insert(userId, values, placement, tx),
      );
    // A concurrent create that took the same first key undid the transaction: run it again, once.
    const conflict = (err: unknown) => err instanceof PlacementConflictError;
    const { value, replayed } = await retrying(2, conflict, run);
    if (!replayed) await this.repo.markWritten(userId);
    return { task: value, replayed };
  }

  /** Creates a task inside the caller's transaction `tx` (a batch); the caller marks the write. */
  createIn(tx: Tx, userId: string, dto: CreateTaskDto): Promise<Task> {
    const { values, placement } = creation(dto);
    return this.repo.insert(userId, values, placement, tx);
  }

  /**
   * `versions`: the `If-Match` condition; undefined means unconditional. The writes below take an
   * optional `tx`, the caller's transaction (a batch), which then marks the write once committed.
   */
  async replace(userId: string, id: string, dto: ReplaceTaskDto, versions?: number[]): Promise<Task> {
    return this.written(userId, id, versions, await this.repo.update(userId, id, valuesFrom(dto), versions));
  }

  async update(userId: string, id: string, dto: UpdateTaskDto, versions?: number[], tx?: Tx): Promise<Task> {
    const changes = present(normalised(dto));
    if (Object.keys(changes).length === 0) {
      const task = await this.get(userId, id, tx);
      if (versions && !versions.includes(task.version)) throw new StaleTaskError(task.version);
      return task;
    }
    const task = await this.repo.update(userId, id, changes, versions, tx);
    return this.written(userId, id, versions, task, tx);
  }

  async setCompleted(
    userId: string,
    id: string,
    completed?: boolean,
    versions?: number[],
    tx?: Tx,
  ): Promise<Task> {
    const task = await this.repo.setCompleted(userId, id, completed, versions, tx);
    return this.written(userId, id, versions, task, tx);
  }

  async remove(userId: string, id: string, versions?: number[], tx?: Tx): Promise<void> {
    if (await this.repo.delete(userId, id, versions, tx)) return;
    await this.written(userId, id, versions, null, tx);
  }

  /** A write that matched nothing: stale when the task exists at another version, else not found. */
  private async written(
    userId: string,
    id: string,
    versions: number[] | undefined,
    task: Task | null,
    tx?: Tx,
  ): Promise<Task> {
    if (task) return task;
    const current = versions ? await this.repo.currentVersion(userId, id, tx) : null;
    throw current === null ? new TaskNotFoundError() : new StaleTaskError(current);
  }

  /** Moves a task among its siblings or to another parent: one write, version +1. */
  async move(userId: string, id: string, dto: MoveTaskDto, versions?: number[], tx?: Tx): Promise<Task> {
    const task = await this.ordering.locked(
      userId,
      (t) => this.ordering.move(t, userId, id, { parent: dto.parent_id, after: dto.after ?? null }, versions),
      tx,
    );
    if (!tx) await this.repo.markWritten(userId);
    return task;
  }

  /** Clear completed (the one `status` there is): deletes those tasks and all their subtasks; how many it deleted. */
  async clear(userId: string, status: 'completed'): Promise<number> {
    // Under the ordering lock: no create or move puts a subtask under a parent being cleared.
    const deleted = await this.ordering.locked(userId, (tx) => this.repo.deleteByStatus(userId, status, tx));
    if (deleted > 0) await this.repo.markWritten(userId);
    return deleted;
  }

  stats(userId: string): Promise<TaskStats> {
    return this.repo.stats(userId);
  }
}
