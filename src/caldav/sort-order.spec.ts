import ICAL from 'ical.js';
import { keyBetween, planRebalance } from '../tasks/positions.js';
import { placeBy, SORT_ORDER_DIGITS, sortOrderIn, sortOrderOf } from './sort-order.js';

/** A seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Keys as the ordering code makes them: inserts into random gaps, at either end (which walks the
 * integer part's head away from 'a'), into the same gap again and again (long keys, as a drag back
 * and forth does), and a rebalanced window.
 */
function keys(seed: number, n: number): string[] {
  const next = random(seed);
  const list = ['a0'];
  for (let i = 0; i < n; i++) {
    const r = next();
    if (r < 0.15) list.unshift(keyBetween(null, list[0]));
    else if (r < 0.3) list.push(keyBetween(list.at(-1)!, null));
    else if (r < 0.99) {
      const gap = Math.floor(next() * list.length);
      list.splice(gap + 1, 0, keyBetween(list[gap], list[gap + 1] ?? null));
    } else {
      // A drag into the same gap, again and again: each key between the last one and its neighbour.
      const gap = Math.floor(next() * (list.length - 1));
      for (let j = 0; j < 80; j++) list.splice(gap + 1, 0, keyBetween(list[gap], list[gap + 1]));
    }
  }
  const window = list.slice(0, 9).map((position, i) => ({ id: String(i), position }));
  const plan = planRebalance({ before: window.slice(0, 4).reverse(), after: window.slice(4) }, 8);
  return [...list, ...(plan?.rewritten.map((r) => r.position) ?? [])];
}

describe('sortOrderOf: position key → X-APPLE-SORT-ORDER', () => {
  it.each([1, 2, 3, 4])('is monotonic over keys from the key generator (seed %i)', (seed) => {
    const all = [...new Set(keys(seed, 3000))].sort(byBytes);
    expect(all.some((k) => k.length > SORT_ORDER_DIGITS)).toBe(true);
    expect(all.some((k) => k < 'a')).toBe(true);
    const prefix = (k: string) => k.slice(0, SORT_ORDER_DIGITS).padEnd(SORT_ORDER_DIGITS, '0');
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [sortOrderOf(all[i - 1]), sortOrderOf(all[i])];
      expect(a <= b).toBe(true);
      // Equal only past the precision: keys alike in their first ten digits.
      if (prefix(all[i - 1]) !== prefix(all[i])) expect(a < b).toBe(true);
    }
  });

  it('stays within 1 … 62¹⁰ (positive, below 2⁶³) and depends on the key alone', () => {
    const all = keys(9, 500);
    for (const k of all) {
      const n = sortOrderOf(k);
      expect(n >= 1n && n <= 62n ** 10n).toBe(true);
      expect(sortOrderOf(k)).toBe(n);
    }
    expect(sortOrderOf('a0')).toBe(36n * 62n ** 9n + 1n);
    expect(62n ** 10n < 2n ** 63n).toBe(true);
  });

  it('refuses what is not a key', () => {
    expect(() => sortOrderOf('~tmp')).toThrow();
  });
});

describe('sortOrderIn', () => {
  const todo = (line: string) =>
    new ICAL.Component(
      ICAL.parse(
        `BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:u\r\n${line}END:VTODO\r\nEND:VCALENDAR\r\n`,
      ) as unknown[],
    ).getFirstSubcomponent('vtodo')!;

  it('reads a whole number of at least 1, however large', () => {
    expect(sortOrderIn(todo('X-APPLE-SORT-ORDER:545683380\r\n'))).toBe(545683380n);
    expect(sortOrderIn(todo('X-APPLE-SORT-ORDER:18446744073709551615\r\n'))).toBe(18446744073709551615n);
  });

  it('reads none, 0, negative or text as no order', () => {
    for (const line of [
      '',
      'X-APPLE-SORT-ORDER:0\r\n',
      'X-APPLE-SORT-ORDER:-5\r\n',
      'X-APPLE-SORT-ORDER:1.5\r\n',
    ])
      expect(sortOrderIn(todo(line))).toBeNull();
  });
});

describe('placeBy', () => {
  const siblings = ['a0', 'a1', 'a2'].map((position) => ({ id: position, position }));
  const [a0, a1, a2] = siblings.map((s) => sortOrderOf(s.position));

  it('puts a task after the last sibling whose number is below the one asked for', () => {
    expect(placeBy(siblings, 1n)).toBeNull();
    expect(placeBy(siblings, a0)).toBeNull();
    expect(placeBy(siblings, a0 + 1n)?.id).toBe('a0');
    expect(placeBy(siblings, (a1 + a2) / 2n)?.id).toBe('a1');
    expect(placeBy(siblings, a2 + 1n)?.id).toBe('a2');
    expect(placeBy([], 5n)).toBeNull();
  });
});
