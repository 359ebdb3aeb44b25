import { checksum, fingerprint } from '../common/fingerprint.js';
import { isUuid } from '../common/uuid.js';
import { InvalidCursorError } from './task.errors.js';
import { ORDERS, SORTS, type Order, type SortKey } from './task.schema.js';

/**
 * Where a keyset page ends: the last row's sort value and id, plus the sort and a fingerprint of
 * the filters the page belongs to. Encoded as base64url JSON with a checksum, so a cursor
 * that was cut, edited or used with other filters is a 400, never a 500. (The checksum catches
 * corruption and casual edits; it is not a secret. A forged cursor can only move the position
 * inside the caller's own tasks.)
 */
export interface Cursor {
  sort: SortKey;
  order: Order;
  filters: string;
  /** The sort key of the last row, as SQL compares it (SORTS[sort].keyOf). */
  key: string | number;
  id: string;
}

/** A stable fingerprint of the filters (and sort) a cursor is valid for. */
export const filtersFingerprint = (filters: Record<string, unknown>): string =>
  fingerprint(filters).slice(0, 16);

/** `values` as base64url JSON with its checksum: what every cursor here is. */
function seal(values: unknown[]): string {
  const payload = Buffer.from(JSON.stringify(values)).toString('base64url');
  return `${payload}.${checksum(payload)}`;
}

/** The values of a sealed cursor; one cut, edited or not JSON is an InvalidCursorError. */
function unseal(raw: string): unknown {
  const [payload, sum, extra] = raw.split('.');
  if (!payload || !sum || extra !== undefined || checksum(payload) !== sum)
    throw new InvalidCursorError(InvalidCursorError.malformed);
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(InvalidCursorError.malformed);
  }
}

export function encodeCursor(c: Cursor): string {
  return seal([c.sort, c.order, c.filters, c.key, c.id]);
}

const isSortKey = (value: unknown): value is SortKey =>
  typeof value === 'string' && Object.hasOwn(SORTS, value);

/** Reads a cursor and checks it belongs to this listing; any problem is an InvalidCursorError. */
export function decodeCursor(raw: string, expected: Pick<Cursor, 'sort' | 'order' | 'filters'>): Cursor {
  const parsed = unseal(raw);
  if (!Array.isArray(parsed) || parsed.length !== 5)
    throw new InvalidCursorError(InvalidCursorError.malformed);
  const [sort, order, filters, key, id] = parsed as unknown[];
  if (
    !isSortKey(sort) ||
    !ORDERS.includes(order as Order) ||
    typeof filters !== 'string' ||
    !isUuid(id) ||
    !SORTS[sort].isKey(key)
  ) {
    throw new InvalidCursorError(InvalidCursorError.malformed);
  }
  if (sort !== expected.sort || order !== expected.order || filters !== expected.filters) {
    throw new InvalidCursorError(InvalidCursorError.foreign);
  }
  return { sort, order: order as Order, filters, key: key as string | number, id };
}

/** Where a page of a task's completions ends (newest first): the last row's `completed_at` and `occurrence`. */
export interface CompletionCursor {
  completed_at: string;
  occurrence: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A cursor of `GET /api/tasks/{id}/completions`, checksummed like the listing's, bound to the task. */
export function encodeCompletionCursor(taskId: string, last: CompletionCursor): string {
  return seal(['c', taskId, last.completed_at, last.occurrence]);
}

/** Reads a completions cursor and checks it belongs to this task; any problem is an InvalidCursorError. */
export function decodeCompletionCursor(raw: string, taskId: string): CompletionCursor {
  const parsed = unseal(raw);
  if (!Array.isArray(parsed) || parsed.length !== 4 || parsed[0] !== 'c')
    throw new InvalidCursorError(InvalidCursorError.malformed);
  const [, task, completedAt, occurrence] = parsed as unknown[];
  if (
    !isUuid(task) ||
    typeof completedAt !== 'string' ||
    !TIMESTAMP.test(completedAt) ||
    typeof occurrence !== 'string' ||
    !TIMESTAMP.test(occurrence)
  )
    throw new InvalidCursorError(InvalidCursorError.malformed);
  if (task !== taskId) throw new InvalidCursorError(InvalidCursorError.foreignTask);
  return { completed_at: completedAt, occurrence };
}
