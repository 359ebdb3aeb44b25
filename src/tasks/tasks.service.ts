import type { Task } from './dto/task.dto.js';
import { Injectable } from '@nestjs/common';
import { fingerprint } from '../common/fingerprint.js';
import { Database } from '../database/database.js';
import { retrying } from '../database/retrying.js';
import { occurrencesBetween } from '../recurrence/recurrence.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import {
  decodeCompletionCursor,
  decodeCursor,
  encodeCompletionCursor,
  encodeCursor,
  filtersFingerprint,
} from './cursor.js';
import type { CompletionsQueryDto, OccurrencesQueryDto } from './dto/occurrences.dto.js';
import type { CreateTaskDto, ReplaceTaskDto } from './dto/create-task.dto.js';
import type { MoveTaskDto } from './dto/move-task.dto.js';
import type { ListTasksQueryDto } from './dto/list-tasks-query.dto.js';
import type { UpdateTaskDto } from './dto/update-task.dto.js';
import { parseDateTime } from './dto/validators.js';
import {
  checkNewSeries,
  planChange,
  planSkip,
  taskOf,
  taskSeries,
  toRecurrence,
  type SeriesRow,
  type SeriesWrite,
} from './recurring.js';
import {
  InvalidAssigneeError,
  InvalidSeriesError,
  PlacementConflictError,
  StaleTaskError,
  TaskNotFoundError,
} from './task.errors.js';
import { ReadOnlyListError } from '../lists/list.errors.js';
import { canWrite } from '../lists/roles.js';
import {
  DEFAULT_LIMIT,
  DEFAULT_SORT,
  OCCURRENCES,
  SERIES_FIELDS,
  SORTS,
  present,
  withDefaults,
  type TaskChanges,
  type TaskValues,
} from './task.schema.js';
import { DEADLOCK, PLACEMENT_ATTEMPTS, TaskOrdering, type Placement } from './task-ordering.js';
import { TasksRepository, type Completion, type ListFilters, type TaskStats } from './tasks.repository.js';

const toDate = (value: string | null | undefined) =>
  value === undefined ? undefined : value === null ? null : parseDateTime(value);

/** The input's fields, normalised for storage (absent ones undefined). */
const normalised = (dto: Omit<UpdateTaskDto, 'occurrence'>): TaskChanges => ({
  ...dto,
  due_date: toDate(dto.due_date),
  recurrence: toRecurrence(dto.recurrence),
});

/** Whether a change may touch a recurring task's series (or its completion): the careful path's business. */
const touchesSeries = (changes: TaskChanges) =>
  changes.completed !== undefined || SERIES_FIELDS.some((field) => changes[field] !== undefined);

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

/** The values as the release before 2026-12-06 knew them (without a default `assignee_id`). */
function legacy(values: TaskValues): Partial<TaskValues> {
  if (values.assignee_id !== null) return values;
  const rest: Partial<TaskValues> = { ...values };
  delete rest.assignee_id;
  return rest;
}

/** The fingerprints a create under Idempotency-Key is recognised by: the one stored first, then older ones. */
function fingerprintsOf(dto: CreateTaskDto, { values, placement }: ReturnType<typeof creation>): string[] {
  const placed = placement.parent !== null || placement.after !== null;
  return [
    createFingerprint(dto),
    // What the release before 2026-12-06 stored (every writable field, defaults filled in): still
    // accepted, so a create retried across that deploy replays. Keys live 24 h: drop it after.
    // (`assignee_id` came later: that release had no such field to fill in.)
    fingerprint(placed ? { ...legacy(values), placement } : legacy(values)),
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

/** A page of completions, newest first, the number of all, and the next page's cursor while more remain. */
export interface CompletionPage {
  items: Completion[];
  total: number;
  next?: string;
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
    private readonly db: Database,
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
      recurring: query.recurring,
      assignee: query.assignee_id === 'me' ? userId : query.assignee_id === 'none' ? null : query.assignee_id,
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
    if (values.recurrence) checkNewSeries(values.recurrence, values.due_date, values.time_zone, new Date());
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

  /**
   * `versions`: the `If-Match` condition; undefined means unconditional. A replace that leaves the
   * task repeating goes the careful way (planChange): a series restarts only when `due_date`,
   * `time_zone` or `recurrence` get new values.
   */
  async replace(userId: string, id: string, dto: ReplaceTaskDto, versions?: number[]): Promise<Task> {
    const values = valuesFrom(dto);
    if (values.recurrence === null)
      return this.written(
        userId,
        id,
        versions,
        await this.repo.update(userId, id, values, versions),
        values.assignee_id,
      );
    return this.changeSeries(userId, id, versions, (row, now) => planChange(row, values, now));
  }

  /**
   * Changes the given fields. One statement unless the change may concern a recurring task's series
   * or its completion (then planChange, in a transaction with the row locked). `occurrence`: the
   * only occurrence a `completed: true` here may complete.
   */
  async update(userId: string, id: string, dto: UpdateTaskDto, versions?: number[]): Promise<Task> {
    const { occurrence, ...fields } = dto;
    const changes = present(normalised(fields));
    const only = occurrence == null ? undefined : parseDateTime(occurrence)!;
    if (only === undefined) {
      if (Object.keys(changes).length === 0) {
        // Nothing to write, but still a write: only a writer of the task's list may make it.
        const found = await this.repo.findWithRole(userId, id);
        if (!found) throw new TaskNotFoundError();
        if (!canWrite(found.role)) throw new ReadOnlyListError();
        if (versions && !versions.includes(found.task.version)) throw new StaleTaskError(found.task.version);
        return found.task;
      }
      if (!touchesSeries(changes) || changes.recurrence === null)
        return this.written(
          userId,
          id,
          versions,
          await this.repo.update(userId, id, changes, versions),
          changes.assignee_id,
        );
      if (changes.recurrence === undefined) {
        // The common case, a task that does not repeat: one statement. Otherwise the careful way.
        const task = await this.repo.update(userId, id, changes, versions, true);
        if (task) return task;
      }
    }
    return this.changeSeries(userId, id, versions, (row, now) => planChange(row, changes, now, only));
  }

  /**
   * Toggles `completed`, or sets it: one statement for a task that does not repeat; completing a
   * recurring one advances it (planChange). `occurrence`: the only occurrence this may complete.
   */
  async setCompleted(
    userId: string,
    id: string,
    completed?: boolean,
    versions?: number[],
    occurrence?: string | null,
  ): Promise<Task> {
    const only = occurrence == null ? undefined : parseDateTime(occurrence)!;
    if (only === undefined) {
      const task = await this.repo.setCompleted(userId, id, completed, versions);
      if (task) return task;
    }
    return this.changeSeries(userId, id, versions, (row, now) =>
      planChange(row, { completed: completed ?? !row.completed }, now, only),
    );
  }

  /** Moves a recurring task to its next occurrence without recording a completion. */
  skip(userId: string, id: string, versions?: number[]): Promise<Task> {
    return this.changeSeries(userId, id, versions, (row, now) => planSkip(row, now));
  }

  /**
   * The careful way of a write that may concern a series: in one transaction, the task (and its
   * subtasks) locked, the `If-Match` checked, then `plan` decides the one write (null: none, and
   * the answer is the task as it is); only by a writer of the task's list (404 for a non-member,
   * 403 for a viewer, as `written` decides). Run again when PostgreSQL undid it to break a deadlock.
   */
  private changeSeries(
    userId: string,
    id: string,
    versions: number[] | undefined,
    plan: (row: SeriesRow, now: Date) => SeriesWrite | null,
  ): Promise<Task> {
    return this.db.transaction(
      userId,
      async () => {
        const row = await this.repo.lockSeries(userId, id);
        // Not found, or read-only (a viewer), as every other write tells it.
        if (!row) return this.written(userId, id, versions, null);
        if (versions && !versions.includes(row.version)) throw new StaleTaskError(row.version);
        const write = plan(row, new Date());
        return write
          ? this.written(
              userId,
              id,
              versions,
              await this.repo.writeSeries(userId, id, write),
              write.set.assignee_id,
            )
          : taskOf(row);
      },
      { attempts: PLACEMENT_ATTEMPTS, retryable: (err) => (err as { code?: unknown }).code === DEADLOCK },
    );
  }

  /**
   * The task's occurrences at or after `from` (default: its `due_date`) and before `to` (default
   * and at most OCCURRENCES.maxYears after `from`), at most `limit`. A task that does not repeat has
   * one occurrence, its `due_date`; one without a `due_date` none.
   */
  async occurrences(userId: string, id: string, query: OccurrencesQueryDto): Promise<Date[]> {
    const row = await this.repo.findSeries(userId, id);
    if (!row) throw new TaskNotFoundError();
    const from = toDate(query.from) ?? (row.due_date === null ? null : new Date(row.due_date));
    if (from === null) return [];
    const latest = new Date(from);
    latest.setUTCFullYear(latest.getUTCFullYear() + OCCURRENCES.maxYears);
    const to = toDate(query.to) ?? latest;
    if (to.getTime() > latest.getTime())
      throw new InvalidSeriesError('to', InvalidSeriesError.tooFar(OCCURRENCES.maxYears));
    const limit = query.limit ?? OCCURRENCES.defaultLimit;
    const series = taskSeries(row);
    if (series) return occurrencesBetween(series, from, to, limit);
    const due = row.due_date === null ? null : new Date(row.due_date);
    return due && due >= from && due < to ? [due] : [];
  }

  /** The task's completed occurrences, newest first, keyset-paged. */
  async completions(userId: string, id: string, query: CompletionsQueryDto): Promise<CompletionPage> {
    if (!(await this.repo.findOne(userId, id))) throw new TaskNotFoundError();
    const after = query.cursor ? decodeCompletionCursor(query.cursor, id) : undefined;
    const page = await this.repo.completionPage(userId, id, query.limit ?? DEFAULT_LIMIT, after);
    const last = page.items.at(-1);
    const next = page.more && last ? encodeCompletionCursor(id, last) : undefined;
    return { items: page.items, total: page.total, next };
  }

  async remove(userId: string, id: string, versions?: number[]): Promise<void> {
    if (await this.repo.delete(userId, id, versions)) return;
    await this.written(userId, id, versions, null);
  }

  /**
   * A write that matched nothing: not found when the caller cannot see the task, read-only when
   * their role does not let them write it, stale when it exists at another version, a bad
   * `assignee` (the one the write set, if any) when they are not a member of the task's list.
   */
  private async written(
    userId: string,
    id: string,
    versions: number[] | undefined,
    task: Task | null,
    assignee?: string | null,
  ): Promise<Task> {
    if (task) return task;
    const access = await this.repo.access(userId, id, assignee);
    if (!access) throw new TaskNotFoundError();
    if (!canWrite(access.role)) throw new ReadOnlyListError();
    if (versions && !versions.includes(access.version)) throw new StaleTaskError(access.version);
    if (!access.assignable) throw new InvalidAssigneeError();
    // Deleted or changed between the write and this read: as if the write had come after.
    throw new TaskNotFoundError();
  }

  /**
   * Moves a task among its siblings or to another parent: one write, version +1. With `list_id`
   * (another list than its own), into that list with its subtasks: both lists' ordering locks are
   * taken (in list order), the caller must write both.
   */
  move(userId: string, id: string, dto: MoveTaskDto, versions?: number[]): Promise<Task> {
    const to = { parent: dto.parent_id, after: dto.after ?? null };
    return this.ordering.locked(userId, { task: id, into: dto.list_id ?? undefined }, (list, into) =>
      into === undefined || into === list
        ? this.ordering.move(userId, list, id, to, versions)
        : this.ordering.moveToList(userId, list, into, id, to, versions),
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
