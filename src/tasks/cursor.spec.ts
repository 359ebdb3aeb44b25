import { createHash } from 'node:crypto';
import {
  decodeCompletionCursor,
  decodeCursor,
  encodeCompletionCursor,
  encodeCursor,
  type Cursor,
} from './cursor.js';
import { InvalidCursorError } from './task.errors.js';

const cursor: Cursor = {
  sort: 'created_at',
  order: 'desc',
  filters: 'f1',
  key: '2026-11-26T17:49:08.123Z',
  id: '3f8e2c1a-5b7d-4e9f-a1c2-0d3b4e5f6a7b',
};
const expected = { sort: cursor.sort, order: cursor.order, filters: cursor.filters };
/** A cursor with a right checksum around any payload: what someone who read the code could make. */
const forged = (parts: unknown[]) => {
  const payload = Buffer.from(JSON.stringify(parts)).toString('base64url');
  return `${payload}.${createHash('sha256').update(payload).digest('base64url').slice(0, 12)}`;
};

describe('cursor', () => {
  it('reads back what it wrote', () => {
    expect(decodeCursor(encodeCursor(cursor), expected)).toEqual(cursor);
  });

  it.each([
    ['cut', encodeCursor(cursor).slice(0, -3)],
    ['edited', encodeCursor(cursor).replace(/^./, (c) => (c === 'W' ? 'X' : 'W'))],
    ['not base64 JSON', 'bm90IGpzb24.' + 'x'.repeat(12)],
    ['empty', ''],
    ['three parts', `${encodeCursor(cursor)}.x`],
  ])('refuses a %s cursor', (_, raw) => {
    expect(() => decodeCursor(raw, expected)).toThrow(InvalidCursorError.malformed);
  });

  it.each<[string, unknown[]]>([
    ['an unknown sort', ['color', 'desc', 'f1', 'x', cursor.id]],
    ['an unknown order', ['created_at', 'up', 'f1', cursor.key, cursor.id]],
    ['a non-UUID id', ['created_at', 'desc', 'f1', cursor.key, 'nope']],
    ['infinity for created_at', ['created_at', 'desc', 'f1', 'infinity', cursor.id]],
    ['a rank out of range', ['priority', 'desc', 'f1', 4, cursor.id]],
    ['a title too long', ['title', 'asc', 'f1', 'x'.repeat(201), cursor.id]],
  ])('refuses %s even with a right checksum', (_, parts) => {
    expect(() =>
      decodeCursor(forged(parts), { sort: parts[0] as never, order: 'desc', filters: 'f1' }),
    ).toThrow(InvalidCursorError.malformed);
  });

  it('accepts infinity for due_date', () => {
    const raw = forged(['due_date', 'asc', 'f1', 'infinity', cursor.id]);
    expect(decodeCursor(raw, { sort: 'due_date', order: 'asc', filters: 'f1' }).key).toBe('infinity');
  });

  it('refuses a cursor of another listing', () => {
    expect(() => decodeCursor(encodeCursor(cursor), { ...expected, order: 'asc' })).toThrow(
      InvalidCursorError.foreign,
    );
    expect(() => decodeCursor(encodeCursor(cursor), { ...expected, filters: 'f2' })).toThrow(
      InvalidCursorError.foreign,
    );
  });
});

describe('completions cursor', () => {
  const task = '3f8e2c1a-5b7d-4e9f-a1c2-0d3b4e5f6a7b';
  const last = { completed_at: '2026-12-07T09:12:44.120Z', occurrence: '2026-12-07T08:00:00.000Z' };

  it('round-trips the last row of a page', () => {
    expect(decodeCompletionCursor(encodeCompletionCursor(task, last), task)).toEqual(last);
  });

  it('is refused for another task, and when edited', () => {
    const raw = encodeCompletionCursor(task, last);
    expect(() => decodeCompletionCursor(raw, '00000000-0000-4000-8000-000000000000')).toThrow(
      InvalidCursorError.foreignTask,
    );
    expect(() => decodeCompletionCursor(`x${raw}`, task)).toThrow(InvalidCursorError.malformed);
    const listing = encodeCursor({
      sort: 'created_at',
      order: 'desc',
      filters: 'f',
      key: last.completed_at,
      id: task,
    });
    expect(() => decodeCompletionCursor(listing, task)).toThrow(InvalidCursorError.malformed);
  });
});
