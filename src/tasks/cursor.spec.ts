import { createHash } from 'node:crypto';
import { decodeCursor, encodeCursor, type Cursor } from './cursor.js';
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
