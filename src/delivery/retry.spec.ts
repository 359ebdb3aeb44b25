import { DELIVERY_LIMITS } from './delivery.schema.js';
import { backoffMs, retryAfterMs, retryDelayMs } from './retry.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');

describe('retryAfterMs', () => {
  it('reads delay-seconds', () => {
    expect(retryAfterMs('120', NOW)).toBe(120_000);
    expect(retryAfterMs(' 0 ', NOW)).toBe(0);
    expect(retryAfterMs(['3', '9'], NOW)).toBe(3000);
  });

  it('reads an HTTP-date, never before now', () => {
    expect(retryAfterMs('Sun, 06 Dec 2026 12:01:30 GMT', NOW)).toBe(90_000);
    expect(retryAfterMs('Sun, 06 Dec 2026 11:00:00 GMT', NOW)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(retryAfterMs(undefined, NOW)).toBeUndefined();
    expect(retryAfterMs('', NOW)).toBeUndefined();
    expect(retryAfterMs('-5', NOW)).toBeUndefined();
    expect(retryAfterMs('soon', NOW)).toBeUndefined();
    expect(retryAfterMs('1.5', NOW)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('doubles from the base, between half and all of each step', () => {
    expect(backoffMs(1, 10_000, () => 0)).toBe(5000);
    expect(backoffMs(1, 10_000, () => 1)).toBe(10_000);
    expect(backoffMs(2, 10_000, () => 1)).toBe(20_000);
    expect(backoffMs(4, 10_000, () => 0.5)).toBe(60_000);
  });

  it('stops growing at the ceiling, however many attempts', () => {
    expect(backoffMs(30, 10_000, () => 1)).toBe(DELIVERY_LIMITS.maxDelayMs);
    expect(backoffMs(5000, 10_000, () => 0)).toBe(DELIVERY_LIMITS.maxDelayMs / 2);
  });

  it('spreads receivers that failed together', () => {
    const waits = new Set(Array.from({ length: 50 }, () => backoffMs(3, 10_000)));
    expect(waits.size).toBeGreaterThan(10);
    for (const w of waits) expect(w).toBeGreaterThanOrEqual(20_000);
  });
});

describe('retryDelayMs', () => {
  it('honours Retry-After over the backoff', () => {
    expect(retryDelayMs(1, NOW, NOW, 10_000, 2000)).toBe(2000);
    expect(retryDelayMs(1, NOW, NOW, 10_000, undefined, () => 1)).toBe(10_000);
  });

  it('gives up past 24 hours after the delivery was made', () => {
    const day = DELIVERY_LIMITS.retryWindowMs;
    expect(retryDelayMs(20, NOW - day + 60_000, NOW, 10_000, undefined, () => 1)).toBeNull();
    expect(retryDelayMs(1, NOW, NOW, 10_000, day + 1)).toBeNull();
    expect(retryDelayMs(1, NOW - day + 60_000, NOW, 10_000, 59_000)).toBe(59_000);
  });
});
