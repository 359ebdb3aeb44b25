import { Injectable, NotFoundException } from '@nestjs/common';
import type { CreateTaskDto } from './dto/create-task.dto.js';
import type { ListTasksQueryDto, Order, SortKey } from './dto/list-tasks-query.dto.js';
import type { UpdateTaskDto } from './dto/update-task.dto.js';
import { parseDateTime } from './dto/validators.js';
import type { TaskRecord } from './entities/task.entity.js';
import { etagOf } from './etag.js';
import { ProblemException } from '../errors/problem.exception.js';
import { checkIdempotencyKey, fingerprint, IdempotencyService } from '../idempotency/idempotency.service.js';
import { decodeCursor, encodeCursor, filtersFingerprint } from './cursor.js';
import {
  sortKeyOf,
  TasksRepository,
  type ListFilters,
  type TaskChanges,
  type TaskStats,
} from './tasks.repository.js';

export const DEFAULT_LIMIT = 50;
const DEFAULT_ORDER: Record<SortKey, Order> = {
  created_at: 'desc',
  updated_at: 'desc',
  priority: 'desc',
  title: 'asc',
  due_date: 'asc',
};

const toDate = (value: string | null | undefined) =>
  value === undefined ? undefined : value === null ? null : parseDateTime(value);

/** Only the fields present in the input, normalised for storage. */
function changesFrom(dto: UpdateTaskDto): TaskChanges {
  const changes: TaskChanges = {
    title: dto.title,
    description: dto.description,
    completed: dto.completed,
    priority: dto.priority,
    due_date: toDate(dto.due_date),
    tags: dto.tags,
  };
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
}

/** Every writable field, absent ones at their defaults (create and full replacement). */
function fullTask(dto: CreateTaskDto): Required<TaskChanges> {
  return {
    title: dto.title,
    description: dto.description ?? null,
    completed: dto.completed ?? false,
    priority: dto.priority ?? 'medium',
    due_date: toDate(dto.due_date) ?? null,
    tags: dto.tags ?? [],
  };
}

/** The rules of tasks: defaults, ownership (a foreign task is "not found"), listing defaults. */
@Injectable()
export class TasksService {
  constructor(
    private readonly repo: TasksRepository,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** A keyset page of the caller's tasks, the count of all matches, and the cursor of the next page. */
  async list(
    userId: string,
    query: ListTasksQueryDto,
  ): Promise<{ items: TaskRecord[]; total: number; next?: string }> {
    const sort = query.sort ?? 'created_at';
    const order = query.order ?? DEFAULT_ORDER[sort];
    const filters: ListFilters = {
      status: query.status ?? 'all',
      priority: query.priority,
      tag: query.tag,
      q: query.q,
      dueAfter: toDate(query.due_after) ?? undefined,
      dueBefore: toDate(query.due_before) ?? undefined,
    };
    const fingerprint = filtersFingerprint({ ...filters, sort, order });
    const after = query.cursor
      ? decodeCursor(query.cursor, { sort, order, filters: fingerprint })
      : undefined;
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
        ? encodeCursor({ sort, order, filters: fingerprint, key: sortKeyOf(last, sort, order), id: last.id })
        : undefined;
    return { items: page.items, total: page.total, next };
  }

  async get(userId: string, id: string): Promise<TaskRecord> {
    return found(await this.repo.findOne(userId, id));
  }

  create(userId: string, dto: CreateTaskDto): Promise<TaskRecord> {
    return this.repo.insert(userId, fullTask(dto));
  }

  /**
   * Create under an `Idempotency-Key`: the same key and body replay the first response, the
   * same key with another body is 422, a duplicate still in flight is 409.
   */
  createIdempotent(userId: string, dto: CreateTaskDto, key: string, collectionPath: string) {
    const values = fullTask(dto);
    return this.idempotency.run(userId, checkIdempotencyKey(key), fingerprint(values), async (manager) => {
      const task = await this.repo.insert(userId, values, manager);
      return {
        status: 201,
        body: task,
        headers: { Location: `${collectionPath}/${task.id}`, ETag: etagOf(task) },
      };
    });
  }

  /** `versions`: the `If-Match` condition (see parseIfMatch); undefined means unconditional. */
  async replace(userId: string, id: string, dto: CreateTaskDto, versions?: number[]): Promise<TaskRecord> {
    return this.written(userId, id, versions, await this.repo.update(userId, id, fullTask(dto), versions));
  }

  async update(userId: string, id: string, dto: UpdateTaskDto, versions?: number[]): Promise<TaskRecord> {
    const changes = changesFrom(dto);
    if (Object.keys(changes).length === 0) {
      const task = await this.get(userId, id);
      if (versions && !versions.includes(task.version)) throw stale(task.version);
      return task;
    }
    return this.written(userId, id, versions, await this.repo.update(userId, id, changes, versions));
  }

  async setCompleted(
    userId: string,
    id: string,
    completed?: boolean,
    versions?: number[],
  ): Promise<TaskRecord> {
    return this.written(userId, id, versions, await this.repo.setCompleted(userId, id, completed, versions));
  }

  async remove(userId: string, id: string, versions?: number[]): Promise<void> {
    if (await this.repo.delete(userId, id, versions)) return;
    await this.written(userId, id, versions, null);
  }

  /** A write that matched nothing: 412 when the task exists at another version, else 404. */
  private async written(userId: string, id: string, versions: number[] | undefined, task: TaskRecord | null) {
    if (task) return task;
    const current = versions ? await this.repo.currentVersion(userId, id) : null;
    throw current === null ? notFound() : stale(current);
  }

  stats(userId: string): Promise<TaskStats> {
    return this.repo.stats(userId);
  }
}

const notFound = () => new NotFoundException('No task with this id');

/** 412 with the current ETag, so the client can refetch or retry knowingly. */
const stale = (version: number) =>
  new ProblemException(412, `The task has changed: its current version is ${version}`, {
    headers: { ETag: etagOf({ version }) },
  });

function found(task: TaskRecord | null): TaskRecord {
  if (!task) throw notFound();
  return task;
}
