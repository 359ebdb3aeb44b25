import { nestsDeeperThan, prototypeKeys } from './json-guards.js';

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('nestsDeeperThan', () => {
  it('counts objects and arrays together, up to the limit', () => {
    expect(nestsDeeperThan(Buffer.from(deep(32)), 32)).toBe(false);
    expect(nestsDeeperThan(Buffer.from(deep(33)), 32)).toBe(true);
    expect(nestsDeeperThan(Buffer.from('{"a":{"b":[{"c":1}]}}'), 3)).toBe(true);
    expect(nestsDeeperThan(Buffer.from('{"a":{"b":[{"c":1}]}}'), 4)).toBe(false);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(Buffer.from(`{"t": "${'{['.repeat(50)}"}`), 1)).toBe(false);
    expect(nestsDeeperThan(Buffer.from(`{"t": "a\\"${'['.repeat(50)}"}`), 1)).toBe(false);
    expect(nestsDeeperThan(Buffer.from(`{"t": "\\\\", "x": [[1]]}`), 2)).toBe(true);
  });

  it('handles 60 000 levels in one pass', () => {
    expect(nestsDeeperThan(Buffer.from(deep(30_000)), 32)).toBe(true);
  });
});

describe('prototypeKeys', () => {
  it('finds __proto__, constructor and prototype keys at any depth, by path', () => {
    const body = JSON.parse(
      '{"__proto__": {"admin": true}, "a": {"constructor": 1}, "b": [{"prototype": 2}], "c": "__proto__"}',
    ) as unknown;
    expect(prototypeKeys(body)).toEqual(['__proto__', 'a.constructor', 'b[0].prototype']);
  });

  it('finds none in ordinary bodies', () => {
    expect(prototypeKeys({ title: 't', tags: ['constructor'], nested: { x: null } })).toEqual([]);
    expect(prototypeKeys(null)).toEqual([]);
  });
});
