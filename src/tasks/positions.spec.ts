import { keyBetween, planRebalance, REBALANCE_AT, tooLong } from './positions.js';

/** `n` siblings with keys from `from` on, each right after the previous. */
function run(n: number, from: string | null = null): { id: string; position: string }[] {
  const out: { id: string; position: string }[] = [];
  let key = from;
  for (let i = 0; i < n; i++) out.push({ id: `t${i}`, position: (key = keyBetween(key, null)) });
  return out;
}

const sorted = (keys: string[]) => [...keys].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));

describe('positions', () => {
  it('makes keys that grow in a gap dragged into again and again, until tooLong says so', () => {
    let after = 'a1';
    let moves = 0;
    while (!tooLong(after)) {
      after = keyBetween('a0', after);
      moves++;
    }
    expect(moves).toBeGreaterThan(REBALANCE_AT);
  });

  it('respaces a window between short bounds, the placed key among its members, all in order', () => {
    const list = run(20); // a0 … aJ
    // The gap after list[9]: 3 on each side (nearest first), plus each side's bound.
    const hood = { before: list.slice(6, 10).reverse(), after: list.slice(10, 14) };
    const plan = planRebalance(hood, 3)!;
    expect(plan.rewritten.map((r) => r.id)).toEqual(['t7', 't8', 't9', 't10', 't11', 't12']);
    const keys = [list[6].position, ...plan.rewritten.slice(0, 3).map((r) => r.position), plan.key];
    keys.push(...plan.rewritten.slice(3).map((r) => r.position), list[13].position);
    expect(sorted(keys)).toEqual(keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((k) => !tooLong(k))).toBe(true);
  });

  it('asks for a wider window while a bound is long, and always manages at both list ends', () => {
    let long = 'a1';
    while (long.length < 20) long = keyBetween('a0', long);
    const hood = {
      before: [
        { id: 'x', position: long },
        { id: 'a', position: 'a0' },
      ],
      after: [],
    };
    expect(planRebalance(hood, 0)).toBeUndefined();
    const wide = planRebalance(hood, 2)!;
    // The list's first task keeps its (short) key, as the window's lower bound.
    expect(wide.rewritten.map((r) => r.id)).toEqual(['x']);
    const [x] = wide.rewritten;
    expect(sorted(['a0', x.position, wide.key])).toEqual(['a0', x.position, wide.key]);
    expect([x.position, wide.key].every((k) => k.length <= 3)).toBe(true);
  });
});
