import { isoTimestamp } from './timestamps.js';

describe('isoTimestamp', () => {
  it.each([
    ['2026-11-26 23:39:24.123+00', '2026-11-26T23:39:24.123Z'],
    ['2026-11-26 23:39:24.12+00', '2026-11-26T23:39:24.120Z'],
    ['2026-11-26 23:39:24.1+00', '2026-11-26T23:39:24.100Z'],
    ['2026-11-26 23:39:24+00', '2026-11-26T23:39:24.000Z'],
    ['2026-01-02 03:04:05.029+00', '2026-01-02T03:04:05.029Z'],
    ['0999-01-02 03:04:05.5+00', '0999-01-02T03:04:05.500Z'],
  ])('writes UTC text %s as %s', (text, iso) => {
    expect(isoTimestamp(text)).toBe(iso);
  });

  it('drops digits below the millisecond as Date does', () => {
    expect(isoTimestamp('2026-11-26 23:39:24.123987+00')).toBe('2026-11-26T23:39:24.123Z');
  });

  it.each([
    ['2026-11-27 00:39:24.123+01', '2026-11-26T23:39:24.123Z'],
    ['2026-11-26 18:09:24.5-05:30', '2026-11-26T23:39:24.500Z'],
  ])('converts text in another time zone (%s) through a Date', (text, iso) => {
    expect(isoTimestamp(text)).toBe(iso);
  });

  it('gives what Date#toISOString gives for every millisecond of a second', () => {
    for (let ms = 0; ms < 1000; ms++) {
      const date = new Date(Date.UTC(2026, 10, 26, 23, 39, 24, ms));
      const fraction = ms === 0 ? '' : `.${String(ms).padStart(3, '0').replace(/0+$/, '')}`;
      expect(isoTimestamp(`2026-11-26 23:39:24${fraction}+00`)).toBe(date.toISOString());
    }
  });
});
