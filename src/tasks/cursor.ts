import { createHash } from 'node:crypto';
import { ValidationProblem } from '../errors/problem.exception.js';
import { SORT_KEYS, type Order, type SortKey } from './dto/list-tasks-query.dto.js';

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
  /** The sort key of the last row, as SQL compares it (see TasksRepository). */
  key: string | number;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^(-?infinity|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)$/;

const checksum = (payload: string) => createHash('sha256').update(payload).digest('base64url').slice(0, 12);

/** A stable fingerprint of the filters (and sort) a cursor is valid for. */
export const filtersFingerprint = (filters: Record<string, unknown>): string =>
  createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 16);

export function encodeCursor(c: Cursor): string {
  const payload = Buffer.from(JSON.stringify([c.sort, c.order, c.filters, c.key, c.id])).toString(
    'base64url',
  );
  return `${payload}.${checksum(payload)}`;
}

const invalid = (message: string) => new ValidationProblem([{ field: 'cursor', message }]);

const keyIsValid = (sort: SortKey, key: unknown): boolean => {
  switch (sort) {
    case 'priority':
      return key === 1 || key === 2 || key === 3;
    case 'title':
      return typeof key === 'string' && key.length <= 200;
    default:
      return (
        typeof key === 'string' && TIMESTAMP.test(key) && (sort === 'due_date' || !key.includes('infinity'))
      );
  }
};

/** Reads a cursor and checks it belongs to this listing; any problem is a 400 naming `cursor`. */
export function decodeCursor(raw: string, expected: Pick<Cursor, 'sort' | 'order' | 'filters'>): Cursor {
  const [payload, sum, extra] = raw.split('.');
  if (!payload || !sum || extra !== undefined || checksum(payload) !== sum)
    throw invalid('is not a valid cursor');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a valid cursor');
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) throw invalid('is not a valid cursor');
  const [sort, order, filters, key, id] = parsed as unknown[];
  if (
    !SORT_KEYS.includes(sort as SortKey) ||
    (order !== 'asc' && order !== 'desc') ||
    typeof filters !== 'string' ||
    typeof id !== 'string' ||
    !UUID.test(id) ||
    !keyIsValid(sort as SortKey, key)
  ) {
    throw invalid('is not a valid cursor');
  }
  if (sort !== expected.sort || order !== expected.order || filters !== expected.filters) {
    throw invalid('belongs to a listing with other filters, sort or order; start again without a cursor');
  }
  return { sort: sort as SortKey, order, filters, key: key as string | number, id };
}
