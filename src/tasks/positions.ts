import { BASE_62_DIGITS, generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';

/**
 * Task positions: fractional-indexing keys (rocicorp's `fractional-indexing`, base 62), ordered
 * byte-wise (the column is `COLLATE "C"`: a locale collation would order them wrongly). A key for
 * a gap is made between its two neighbours; dragging tasks into the same gap again and again makes
 * keys grow by about one character every five moves, so a key longer than REBALANCE_AT makes the
 * writer respace a window of siblings around the gap (Rebalance) in the same transaction.
 */
export const POSITION_MAX_LENGTH = 64;
/** A new key longer than this respaces its neighbourhood instead. */
export const REBALANCE_AT = 24;
/** A window's outer neighbours must be at most this long (or a list end), so the keys made between them stay short. */
const SHORT = 12;
/** First window: this many siblings on each side of the gap; it grows ×4 until its bounds are short. */
export const FIRST_WINDOW = 8;

/** The digits of a key, in their order (also their byte order): what maps a key to a number (caldav/sort-order.ts). */
export const KEY_DIGITS: string = BASE_62_DIGITS;

/** A key strictly between `before` and `after` (null: a list end). */
export const keyBetween = (before: string | null, after: string | null): string =>
  generateKeyBetween(before, after);

/** Whether a key is too long to keep: make room around it instead (planRebalance). */
export const tooLong = (key: string): boolean => key.length > REBALANCE_AT;

/** Siblings around a gap, nearest first, fetched `window + 1` on each side (the extra one is the window's bound). */
export interface Neighbourhood {
  /** Siblings before the gap, nearest first (at most window + 1). */
  before: { id: string; position: string }[];
  /** Siblings after the gap, nearest first (at most window + 1). */
  after: { id: string; position: string }[];
}

/** New keys for a window of siblings, the placed task's among them, in list order. */
export interface Rebalance {
  /** The placed task's new key. */
  key: string;
  /** The siblings whose keys are rewritten (each one a change of that task), with their new keys. */
  rewritten: { id: string; position: string }[];
}

/**
 * Respaces the window `n` of a neighbourhood fetched with `window`: the placed task goes between
 * the `before` and `after` members, all of them evenly between the window's bounds. Undefined when
 * a bound is still long (fetch a wider window); a window that reaches both list ends always works.
 */
export function planRebalance(hood: Neighbourhood, window: number): Rebalance | undefined {
  const side = (list: { id: string; position: string }[]) => ({
    members: list.slice(0, window),
    bound: list.length > window ? list[window].position : null,
  });
  const before = side(hood.before);
  const after = side(hood.after);
  // A window reaching the list's start keeps its first sibling's key, when short, as its bound: a
  // plain create takes no lock and may be putting a task before that key right now.
  const start = before.members.at(-1);
  if (before.bound === null && start && start.position.length <= SHORT) {
    before.members = before.members.slice(0, -1);
    before.bound = start.position;
  }
  if ([before.bound, after.bound].some((b) => b !== null && b.length > SHORT)) return undefined;
  const order = [...before.members.reverse(), null, ...after.members];
  const keys = generateNKeysBetween(before.bound, after.bound, order.length);
  if (keys.some(tooLong)) return undefined;
  const at = before.members.length;
  return {
    key: keys[at],
    rewritten: order.flatMap((m, i) => (m ? [{ id: m.id, position: keys[i] }] : [])),
  };
}

/**
 * A key before `b` (the first key of a list; NULL when the list is empty), as SQL over the
 * expression `b`, for the one statement of a plain create: 'a0' for an empty list, else the integer
 * part of `b` with its last digit one lower and two random digits after it (the last never '0', as
 * the library requires). That is below `b` and a valid key, as short as `b`'s integer part plus two;
 * the random digits keep concurrent creates of one user from choosing the same key. NULL when the
 * last digit is '0' (a borrow) or the head is the lowest: the app then asks keyBetween.
 * test/order.e2e-spec.ts holds it to that over thousands of real keys.
 */
export function sqlKeyBefore(b: string): string {
  const head = `ascii(left(${b}, 1))`;
  // The integer part's length from its head: a..z = 2..27, Z..A = 2..27 (the library's default heads).
  const integer = `left(${b}, CASE WHEN ${head} >= 97 THEN ${head} - 95 ELSE 92 - ${head} END)`;
  const digit = (from: number) =>
    `substr('${BASE_62_DIGITS}', ${from} + floor(random() * ${63 - from})::int, 1)`;
  return `(CASE WHEN ${b} IS NULL THEN 'a0'
      WHEN ${head} < 66 OR ${head} > 122 OR right(${integer}, 1) = '0' THEN NULL
      ELSE left(${integer}, -1) || substr('${BASE_62_DIGITS}', strpos('${BASE_62_DIGITS}', right(${integer}, 1)) - 1, 1)
        || ${digit(1)} || ${digit(2)}
    END)`;
}
