/**
 * The facts about a task that SQL, cursors, the service, seeds and tests must agree on, in one
 * place: the columns, the writable fields and their defaults, and the table of sorts. The
 * migrations create what this describes; `test/schema.e2e-spec.ts` holds it against the database
 * (columns from `information_schema`, sort indexes from `pg_indexes`).
 */
import type { Task } from './dto/task.dto.js';
import { POSITION_MAX_LENGTH } from './positions.js';

export const PRIORITIES = ['low', 'medium', 'high'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Lengths and counts that the DTOs validate and the columns hold. */
export const LIMITS = {
  title: 200,
  description: 1000,
  tag: 32,
  tags: 10,
  /** A user id (the token's `sub`), as `user_id` and `assignee_id` hold it. */
  userId: 255,
} as const;

/** What a recurring task's next occurrence counts from (contract: "Recurring tasks"). */
export const RECURRENCE_FROM = ['due', 'completion'] as const;
export type RecurrenceFrom = (typeof RECURRENCE_FROM)[number];

/** `GET /api/tasks/{id}/occurrences`: its `limit` (1–max, default) and how far `to` may lie after `from`. */
export const OCCURRENCES = { defaultLimit: 100, maxLimit: 1000, maxYears: 5 } as const;

export const STATUSES = ['all', 'pending', 'completed'] as const;
export type Status = (typeof STATUSES)[number];

export const ORDERS = ['asc', 'desc'] as const;
export type Order = (typeof ORDERS)[number];

/** Every column, in the API's field order: `SELECT`s and `RETURNING`s list exactly these. */
export const TASK_COLUMNS = [
  'id',
  'user_id',
  'title',
  'description',
  'completed',
  'priority',
  'due_date',
  'tags',
  'created_at',
  'updated_at',
  'version',
  'parent_id',
  'position',
  'time_zone',
  'recurrence',
  'last_completed_at',
  'list_id',
  'assignee_id',
] as const satisfies readonly (keyof Task)[];

/**
 * Columns of the tasks table the API does not show: `seq`, the number of the task's latest change
 * in its list owner's change sequence (incremental sync; migrations ChangeSequence and Lists),
 * `owner_id`, the owner of the task's list (kept equal to it by the foreign key `fk_tasks_list`), and
 * `series_start`, a recurring task's DTSTART (the `due_date` its rule was set with; migration
 * Recurrence), and `notify`, which of the webhook and reminder triggers a write of the task runs
 * (migration NotifyFlags).
 */
export const INTERNAL_COLUMNS = ['seq', 'owner_id', 'series_start', 'notify'] as const;

/** The fields a client writes, with the value each takes when a create or a replace leaves it out. */
export const WRITABLE_DEFAULTS = {
  description: null,
  completed: false,
  priority: 'medium',
  due_date: null,
  tags: [],
  time_zone: null,
  recurrence: null,
  assignee_id: null,
} as const satisfies Partial<Record<keyof Task, unknown>>;

/** Writable fields in a fixed order, so equal shapes of change share one prepared statement. */
export const WRITABLE_FIELDS = ['title', ...(Object.keys(WRITABLE_DEFAULTS) as WritableDefaulted[])] as const;
type WritableDefaulted = keyof typeof WRITABLE_DEFAULTS;
export type WritableField = 'title' | WritableDefaulted;

/** The fields that make a recurring task's series: setting one of them to a new value restarts it. */
export const SERIES_FIELDS = ['due_date', 'time_zone', 'recurrence'] as const;

/** Values for the writable columns, normalised for storage (`due_date` as an instant). */
export type TaskValues = Pick<Task, Exclude<WritableField, 'due_date'>> & { due_date: Date | null };
/** Some writable columns: a partial update. */
export type TaskChanges = Partial<TaskValues>;

/** Only the fields that are given (not undefined). */
export const present = (changes: TaskChanges): TaskChanges =>
  Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));

/** Every writable column, the absent ones at their defaults (shared values: nothing mutates them). */
export const withDefaults = (values: Pick<TaskValues, 'title'> & TaskChanges): TaskValues =>
  ({ ...WRITABLE_DEFAULTS, ...present(values) }) as TaskValues;

/** A task's rank for `sort=priority`: low 1 < medium 2 < high 3. */
export const PRIORITY_RANK = Object.fromEntries(PRIORITIES.map((p, i) => [p, i + 1])) as Record<
  Priority,
  number
>;

/** The SQL of that rank (what `ix_tasks_list_priority_id` is built on). */
const PRIORITY_RANK_SQL = `(CASE priority ${PRIORITIES.slice(0, -1)
  .map((p) => `WHEN '${p}' THEN ${PRIORITY_RANK[p]}`)
  .join(' ')} ELSE ${PRIORITIES.length} END)`;

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const INFINITY = { asc: 'infinity', desc: '-infinity' } as const;

/** How one sort orders, pages and is indexed, in one direction. */
export interface SortWay {
  /** The SQL expression rows are ordered by (then by `id`); the index below is `(list_id, expr, id)`. */
  expr: string;
  /** The index that serves this sort in this direction (walked forwards or backwards). */
  index: string;
}

export interface SortSpec {
  /** Direction when the query names none. */
  defaultOrder: Order;
  /** The SQL type the cursor's value is compared as. */
  cursorType: 'timestamptz' | 'int' | 'varchar';
  asc: SortWay;
  desc: SortWay;
  /** A row's value under this sort, as the keyset comparison sees it. */
  keyOf(task: Task, order: Order): string | number;
  /** Whether a value read back from a cursor can be such a key. */
  isKey(value: unknown): boolean;
}

const both = (expr: string, index: string) => ({ asc: { expr, index }, desc: { expr, index } });

const timestampSort = (column: 'created_at' | 'updated_at', index: string): SortSpec => ({
  defaultOrder: 'desc',
  cursorType: 'timestamptz',
  ...both(column, index),
  keyOf: (task) => task[column],
  isKey: (v) => typeof v === 'string' && TIMESTAMP.test(v),
});

/**
 * Every sort of the listing. `due_date` sorts missing dates as +infinity ascending and -infinity
 * descending (last both ways), so it has an index per direction. `position` is the manual order
 * (byte-wise: the column is COLLATE "C"); it means most within one list of siblings (`parent_id`),
 * where the partial unique indexes of positions serve it too.
 */
export const SORTS = {
  created_at: timestampSort('created_at', 'ix_tasks_list_created_id'),
  updated_at: timestampSort('updated_at', 'ix_tasks_list_updated_id'),
  title: {
    defaultOrder: 'asc',
    cursorType: 'varchar',
    ...both('title', 'ix_tasks_list_title_id'),
    keyOf: (task) => task.title,
    isKey: (v) => typeof v === 'string' && v.length <= LIMITS.title,
  },
  due_date: {
    defaultOrder: 'asc',
    cursorType: 'timestamptz',
    asc: { expr: `COALESCE(due_date, '${INFINITY.asc}'::timestamptz)`, index: 'ix_tasks_list_due_asc_id' },
    desc: { expr: `COALESCE(due_date, '${INFINITY.desc}'::timestamptz)`, index: 'ix_tasks_list_due_desc_id' },
    keyOf: (task, order) => task.due_date ?? INFINITY[order],
    isKey: (v) => typeof v === 'string' && (TIMESTAMP.test(v) || v === INFINITY.asc || v === INFINITY.desc),
  },
  priority: {
    defaultOrder: 'desc',
    cursorType: 'int',
    ...both(PRIORITY_RANK_SQL, 'ix_tasks_list_priority_id'),
    keyOf: (task) => PRIORITY_RANK[task.priority],
    isKey: (v) => Object.values(PRIORITY_RANK).includes(v as number),
  },
  position: {
    defaultOrder: 'asc',
    cursorType: 'varchar',
    ...both('position', 'ix_tasks_list_position_id'),
    keyOf: (task) => task.position,
    isKey: (v) => typeof v === 'string' && v.length <= POSITION_MAX_LENGTH,
  },
} as const satisfies Record<string, SortSpec>;

export type SortKey = keyof typeof SORTS;
export const SORT_KEYS = Object.keys(SORTS) as SortKey[];
export const DEFAULT_SORT: SortKey = 'created_at';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;
