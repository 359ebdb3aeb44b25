import { lagMs, lsn } from './replicas.js';

describe('lsn', () => {
  it('orders WAL positions as PostgreSQL does (the part after the slash is the low 32 bits)', () => {
    expect(lsn('0/3016060') > lsn('0/3015FE0')).toBe(true);
    expect(lsn('1/0') > lsn('0/FFFFFFFF')).toBe(true);
    expect(lsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
  });
});

describe('lagMs', () => {
  const samples = [
    { at: 1000, lsn: 10n },
    { at: 2000, lsn: 20n },
    { at: 3000, lsn: 30n },
  ];

  it('is the time since the newest sample the replica has replayed', () => {
    expect(lagMs(samples, 30n, 3100)).toBe(100);
    expect(lagMs(samples, 25n, 3100)).toBe(1100);
    expect(lagMs(samples, 20n, 3100)).toBe(1100);
  });

  it('is undefined when the replica is behind every sample kept', () => {
    expect(lagMs(samples, 9n, 3100)).toBeUndefined();
    expect(lagMs([], 9n, 3100)).toBeUndefined();
  });
});
