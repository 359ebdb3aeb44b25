import type { Task } from './dto/task.dto.js';
import { Injectable } from '@nestjs/common';
import { fingerprint } from '../common/fingerprint.js';
import { retrying } from '../database/retrying.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { decodeCursor, encodeCursor, filtersFingerprint } from './cursor.js';
import type { CreateTaskDto, ReplaceTaskDto } from './dto/create-task.dto.js';
import type { MoveTaskDto } from './dto/move-task.dto.js';
import type { ListTasksQueryDto } from './dto/list-tasks-query.dto.js';
import type { UpdateTaskDto } from './dto/update-task.dto.js';
import { parseDateTime } from './dto/validators.js';
import { PlacementConflictError, StaleTaskError, TaskNotFoundError } from './task.errors.js';
import { ReadOnlyListError } from '../lists/list.errors.js';
import { canWrite } from '../lists/roles.js';
import {
  DEFAULT_LIMIT,
  DEFAULT_SORT,
  SORTS,
  present,
  withDefaults,
  type TaskChanges,
  type TaskValues,
} from './task.schema.js';
import { TaskOrdering, type Placement } from './task-ordering.js';
import { TasksRepository, type ListFilters, type TaskStats } from './tasks.repository.js';

const toDate = (value: string | null | undefined) =>
  value === undefined ? undefined : value === null ? null : parseDateTime(value);

/** The input's fields, normalised for storage (absent ones undefined). */
const normalised = (dto: UpdateTaskDto): TaskChanges => ({ ...dto, due_date: toDate(dto.due_date) });

/** Every writable field, absent ones at their defaults (create and full replacement). */
const valuesFrom = (dto: ReplaceTaskDto): TaskValues =>
  withDefaults({ ...normalised(dto), title: dto.title });

/** What a create writes, and where. */
function creation(dto: CreateTaskDto): { list: string | null; values: TaskValues; placement: Placement } {
  const { parent_id, after, list_id, ...fields } = dto;
  return {
    list: list_id ?? null,
    values: valuesFrom(fields),
    placement: { parent: parent_id ?? null, after: after ?? null },
  };
}

/** The fingerprints a create under Idempotency-Key is recognised by: the one stored first, then older ones. */
function fingerprintsOf(dto: CreateTaskDto, { values, placement }: ReturnType<typeof creation>): string[] {
  const placed = placement.parent !== null || placement.after !== null;
  return [
    createFingerprint(dto),
    // What the release before 2026-12-06 stored (every writable field, defaults filled in): still
    // accepted, so a create retried across that deploy replays. Keys live 24 h: drop it after.
    fingerprint(placed ? { ...values, placement } : values),
  ];
}

/**
 * What makes two creates under one Idempotency-Key the same request: the fields the client sent
 * (normalised: a due date is an instant), and where, never the defaults of fields it left out, so a
 * field added to tasks later does not turn a retry into another request.
 */
export function createFingerprint(dto: CreateTaskDto): string {
  const { parent_id, after, list_id, ...fields } = dto;
  return fingerprint({
    create: present(normalised(fields)),
    parent_id: parent_id ?? null,
    after: after ?? null,
    // Only when given, so that the fingerprints of creates stored before lists still match.
    ...(list_id ? { list_id } : {}),
  });
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
      list: query.list_id,
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

  async get(userId: string, id: string): Promise<Task> {
    const task = await this.repo.findOne(userId, id);
    if (!task) throw new TaskNotFoundError();
    return task;
  }

  /**
   * Creates a task (in the caller's transaction when there is one: a batch). With an
   * `idempotencyKey`, the same key and body give back the task the first request created
   * (`replayed`) and create nothing; see IdempotencyService for the other outcomes.
   */
  async create(
    userId: string,
    dto: CreateTaskDto,
    idempotencyKey?: string,
  ): Promise<{ task: Task; replayed: boolean }> {
    const create = creation(dto);
    const { list, values, placement } = create;
    if (idempotencyKey === undefined)
      return { task: await this.repo.insert(userId, list, values, placement), replayed: false };
    const run = () =>
      this.idempotency.run(userId, idempotencyKey, fingerprintsOf(dto, create), () =>
        this.repo.insert(userId, list, values, placement),
      );
    // A concurrent create that took the same first key undid the transaction: run it again, once.
    const { value, replayed } = await retrying(2, (err) => err instanceof PlacementConflictError, run);
    return { task: value, replayed };
  }

  /** `versions`: the `If-Match` condition; undefined means unconditional. */
  async replace(userId: string, id: string, dto: ReplaceTaskDto, versions?: number[]): Promise<Task> {
    return this.written(userId, id, versions, await this.repo.update(userId, id, valuesFrom(dto), versions));
  }

  async update(userId: string, id: string, dto: UpdateTaskDto, versions?: number[]): Promise<Task> {
    const changes = present(normalised(dto));
    if (Object.keys(changes).length === 0) {
      const task = await this.get(userId, id);
      if (versions && !versions.includes(task.version)) throw new StaleTaskError(task.version);
      return task;
    }
    return this.written(userId, id, versions, await this.repo.update(userId, id, changes, versions));
  }

  async setCompleted(userId: string, id: string, completed?: boolean, versions?: number[]): Promise<Task> {
    return this.written(userId, id, versions, await this.repo.setCompleted(userId, id, completed, versions));
  }

  async remove(userId: string, id: string, versions?: number[]): Promise<void> {
    if (await this.repo.delete(userId, id, versions)) return;
    await this.written(userId, id, versions, null);
  }

  /**
   * A write that matched nothing: not found when the caller cannot see the task, read-only when
   * their role does not let them write it, stale when it exists at another version.
   */
  private async written(
    userId: string,
    id: string,
    versions: number[] | undefined,
    task: Task | null,
  ): Promise<Task> {
    if (task) return task;
    const access = await this.repo.access(userId, id);
    if (!access) throw new TaskNotFoundError();
    if (!canWrite(access.role)) throw new ReadOnlyListError();
    if (versions && !versions.includes(access.version)) throw new StaleTaskError(access.version);
    // Deleted or changed between the write and this read: as if the write had come after.
    throw new TaskNotFoundError();
  }

  /** Moves a task among its siblings or to another parent: one write, version +1. */
  move(userId: string, id: string, dto: MoveTaskDto, versions?: number[]): Promise<Task> {
    return this.ordering.locked(userId, { task: id }, (list) =>
      this.ordering.move(userId, list, id, { parent: dto.parent_id, after: dto.after ?? null }, versions),
    );
  }

  /**
   * Clear completed (the one `status` there is) in list `list` (absent: the caller's inbox): deletes
   * those tasks and all their subtasks; how many it deleted.
   */
  clear(userId: string, status: 'completed', list?: string): Promise<number> {
    // Under the list's ordering lock: no create or move puts a subtask under a parent being cleared.
    return this.ordering.locked(userId, { list: list ?? null }, (target) =>
      this.repo.deleteByStatus(userId, target, status),
    );
  }

  /**
   * Takes, in the caller's transaction, the ordering locks of the lists a batch writes (those of the
   * tasks `ids`, `lists`, the inbox when `inbox`) in list order, and then the row locks of the tasks
   * `ids` and of the subtasks of `parents`, in id order (what a batch takes up front: BatchService).
   */
  async lockForBatch(
    userId: string,
    ids: string[],
    parents: string[],
    lists: string[],
    inbox: boolean,
  ): Promise<void> {
    await this.ordering.lockLists(userId, ids, lists, inbox);
    await this.ordering.lockRows(userId, ids, parents);
  }

  /** The counts of list `list` (absent: of every list the caller is a member of). */
  stats(userId: string, list?: string): Promise<TaskStats> {
    return this.repo.stats(userId, list);
  }
}
