import type ICAL from 'ical.js';
import { KEY_DIGITS } from '../tasks/positions.js';

/**
 * X-APPLE-SORT-ORDER ↔ `position` (contract "Native clients (CalDAV)", docs/caldav.md "Manual order").
 *
 * A position key (fractional-indexing, base 62, ordered byte-wise) read as a base-62 fraction
 * 0.k₀k₁k₂…, cut to its first SORT_ORDER_DIGITS digits and scaled to an integer: 1 + Σ dᵢ·62^(9−i)
 * (a missing digit counts 0). That is monotonic (a key before another never gets a larger number),
 * depends on the task's own key alone (so it changes only when the key does, and a move bumps the
 * version, hence the ETag), and stays within 1 … 62¹⁰ ≈ 8.4·10¹⁷: positive (Apple reads a value
 * below 1 as "none") and below 2⁶³ (Apple keeps an unsigned 64-bit integer, tasks.org a Long). Two
 * keys alike in their first ten characters get the same number (the precision limit).
 */
export const SORT_ORDER_DIGITS = 10;
const BASE = BigInt(KEY_DIGITS.length);
export const SORT_ORDER_PROPERTY = 'x-apple-sort-order';

/** The number a task at position `key` is rendered with. */
export function sortOrderOf(key: string): bigint {
  let n = 0n;
  for (let i = 0; i < SORT_ORDER_DIGITS; i++) {
    const digit = i < key.length ? KEY_DIGITS.indexOf(key[i]) : 0;
    if (digit < 0) throw new Error(`not a position key: ${key}`);
    n = n * BASE + BigInt(digit);
  }
  return n + 1n;
}

/** The property's line as `render` writes it (no parameters), CRLF on both sides: what a rendered text contains. */
export const sortOrderLine = (n: bigint): string => `\r\nX-APPLE-SORT-ORDER:${n}\r\n`;

/**
 * The order VTODO `todo` asks for: its X-APPLE-SORT-ORDER as an integer, or null when it has none,
 * or one that is not a whole number of at least 1 (Apple reads those as "no order" too).
 */
export function sortOrderIn(todo: ICAL.Component): bigint | null {
  const value = todo.getFirstPropertyValue(SORT_ORDER_PROPERTY);
  const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
  if (!/^\+?\d{1,30}$/.test(text)) return null;
  const n = BigInt(text.replace('+', ''));
  return n >= 1n ? n : null;
}

/**
 * Where among its siblings (in position order, the task itself left out) a task asked to be at
 * number `wanted` goes: right after the last sibling whose number is below `wanted` (null: first).
 * A sibling whose number equals `wanted` stays after it.
 */
export function placeBy<S extends { id: string; position: string }>(siblings: S[], wanted: bigint): S | null {
  let after: S | null = null;
  for (const s of siblings) {
    if (sortOrderOf(s.position) >= wanted) break;
    after = s;
  }
  return after;
}
