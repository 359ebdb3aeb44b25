import {
  assertHasFuture,
  firstAfter,
  isTimeZone,
  nextAfterCompletion,
  normalizeRule,
  occurrencesBetween,
  RuleError,
  type Series,
} from './recurrence.js';

/**
 * Expected values are written by hand as local times with their UTC offsets (from the zones' 2026
 * rules: Berlin changes on 29 March and 25 October, New York on 8 March and 1 November, Sydney
 * on 5 April and 4 October), so nothing here computes them with the code under test.
 */
const at = (iso: string) => new Date(iso);
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const expected = (...local: string[]) => local.map((l) => new Date(l).toISOString());

function series(rule: string, start: string, timeZone: string | null): Series {
  return { rule: normalizeRule(rule), start: at(start), timeZone };
}

function first(s: Series, n: number): string[] {
  return iso(occurrencesBetween(s, s.start, at('2100-01-01T00:00:00Z'), n));
}

describe('occurrences in wall-clock time', () => {
  describe('daily at 02:30 across the spring change: the missing time moves forward by the gap', () => {
    it('Europe/Berlin (29 March 2026, 02:00 → 03:00)', () => {
      expect(first(series('FREQ=DAILY', '2026-03-27T02:30:00+01:00', 'Europe/Berlin'), 5)).toEqual(
        expected(
          '2026-03-27T02:30:00+01:00',
          '2026-03-28T02:30:00+01:00',
          '2026-03-29T03:30:00+02:00',
          '2026-03-30T02:30:00+02:00',
          '2026-03-31T02:30:00+02:00',
        ),
      );
    });

    it('America/New_York (8 March 2026, 02:00 → 03:00)', () => {
      expect(first(series('FREQ=DAILY', '2026-03-06T02:30:00-05:00', 'America/New_York'), 4)).toEqual(
        expected(
          '2026-03-06T02:30:00-05:00',
          '2026-03-07T02:30:00-05:00',
          '2026-03-08T03:30:00-04:00',
          '2026-03-09T02:30:00-04:00',
        ),
      );
    });

    it('Australia/Sydney (4 October 2026, 02:00 → 03:00)', () => {
      expect(first(series('FREQ=DAILY', '2026-10-02T02:30:00+10:00', 'Australia/Sydney'), 4)).toEqual(
        expected(
          '2026-10-02T02:30:00+10:00',
          '2026-10-03T02:30:00+10:00',
          '2026-10-04T03:30:00+11:00',
          '2026-10-05T02:30:00+11:00',
        ),
      );
    });
  });

  describe('daily across the autumn change: a time that happens twice is the first of the two', () => {
    it('Europe/Berlin (25 October 2026, 03:00 → 02:00), 02:30', () => {
      expect(first(series('FREQ=DAILY', '2026-10-24T02:30:00+02:00', 'Europe/Berlin'), 3)).toEqual(
        expected('2026-10-24T02:30:00+02:00', '2026-10-25T02:30:00+02:00', '2026-10-26T02:30:00+01:00'),
      );
    });

    it('America/New_York (1 November 2026, 02:00 → 01:00), 01:30', () => {
      expect(first(series('FREQ=DAILY', '2026-10-31T01:30:00-04:00', 'America/New_York'), 3)).toEqual(
        expected('2026-10-31T01:30:00-04:00', '2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00'),
      );
    });

    it('Australia/Sydney (5 April 2026, 03:00 → 02:00), 02:30', () => {
      expect(first(series('FREQ=DAILY', '2026-04-04T02:30:00+11:00', 'Australia/Sydney'), 3)).toEqual(
        expected('2026-04-04T02:30:00+11:00', '2026-04-05T02:30:00+11:00', '2026-04-06T02:30:00+10:00'),
      );
    });

    it('firstAfter the first 01:30 in New York is the next day, not the repeated 01:30', () => {
      const s = series('FREQ=DAILY', '2026-10-31T01:30:00-04:00', 'America/New_York');
      expect(firstAfter(s, at('2026-11-01T01:30:00-04:00'))?.toISOString()).toBe(
        at('2026-11-02T01:30:00-05:00').toISOString(),
      );
    });
  });

  it('weekly keeps 09:00 Berlin across the change (167 hours apart, not 168)', () => {
    const s = series('FREQ=WEEKLY;BYDAY=MO', '2026-03-23T09:00:00+01:00', 'Europe/Berlin');
    const [a, b] = occurrencesBetween(s, s.start, at('2026-04-30T00:00:00Z'), 2);
    expect(b.toISOString()).toBe(at('2026-03-30T09:00:00+02:00').toISOString());
    expect((b.getTime() - a.getTime()) / 3_600_000).toBe(167);
  });

  it('weekly on the day of the gap moves forward that day only (New York, Sundays 02:30)', () => {
    expect(first(series('FREQ=WEEKLY', '2026-03-01T02:30:00-05:00', 'America/New_York'), 3)).toEqual(
      expected('2026-03-01T02:30:00-05:00', '2026-03-08T03:30:00-04:00', '2026-03-15T02:30:00-04:00'),
    );
  });

  it('monthly BYMONTHDAY=31 skips the shorter months (New York, 09:00)', () => {
    expect(
      first(series('FREQ=MONTHLY;BYMONTHDAY=31', '2026-01-31T09:00:00-05:00', 'America/New_York'), 7),
    ).toEqual(
      expected(
        '2026-01-31T09:00:00-05:00',
        '2026-03-31T09:00:00-04:00',
        '2026-05-31T09:00:00-04:00',
        '2026-07-31T09:00:00-04:00',
        '2026-08-31T09:00:00-04:00',
        '2026-10-31T09:00:00-04:00',
        '2026-12-31T09:00:00-05:00',
      ),
    );
  });

  it('monthly BYDAY=-1FR is the last Friday (Sydney, 18:00, across the April change)', () => {
    expect(
      first(series('FREQ=MONTHLY;BYDAY=-1FR', '2026-01-30T18:00:00+11:00', 'Australia/Sydney'), 5),
    ).toEqual(
      expected(
        '2026-01-30T18:00:00+11:00',
        '2026-02-27T18:00:00+11:00',
        '2026-03-27T18:00:00+11:00',
        '2026-04-24T18:00:00+10:00',
        '2026-05-29T18:00:00+10:00',
      ),
    );
  });

  it('BYSETPOS=-1 over weekdays is the last working day of the month (Berlin)', () => {
    const s = series(
      'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
      '2026-01-30T17:00:00+01:00',
      'Europe/Berlin',
    );
    expect(first(s, 5)).toEqual(
      expected(
        '2026-01-30T17:00:00+01:00',
        '2026-02-27T17:00:00+01:00',
        '2026-03-31T17:00:00+02:00',
        '2026-04-30T17:00:00+02:00',
        '2026-05-29T17:00:00+02:00',
      ),
    );
  });

  it('yearly BYMONTH with an ordinal BYDAY (US Thanksgiving, 4th Thursday of November)', () => {
    const s = series('FREQ=YEARLY;BYMONTH=11;BYDAY=4TH', '2026-11-26T12:00:00-05:00', 'America/New_York');
    expect(first(s, 3)).toEqual(
      expected('2026-11-26T12:00:00-05:00', '2027-11-25T12:00:00-05:00', '2028-11-23T12:00:00-05:00'),
    );
  });

  it('a null zone is UTC', () => {
    expect(first(series('FREQ=DAILY', '2026-03-28T02:30:00Z', null), 3)).toEqual(
      expected('2026-03-28T02:30:00Z', '2026-03-29T02:30:00Z', '2026-03-30T02:30:00Z'),
    );
  });

  it('a DTSTART the rule does not generate is not an occurrence (Tuesday start, Mondays)', () => {
    expect(first(series('FREQ=WEEKLY;BYDAY=MO', '2026-01-06T09:00:00+01:00', 'Europe/Berlin'), 2)).toEqual(
      expected('2026-01-12T09:00:00+01:00', '2026-01-19T09:00:00+01:00'),
    );
  });
});

describe('the end of a series', () => {
  it('COUNT: three occurrences, then none', () => {
    const s = series('FREQ=DAILY;COUNT=3', '2026-01-01T09:00:00+01:00', 'Europe/Berlin');
    expect(first(s, 10)).toEqual(
      expected('2026-01-01T09:00:00+01:00', '2026-01-02T09:00:00+01:00', '2026-01-03T09:00:00+01:00'),
    );
    expect(firstAfter(s, at('2026-01-02T09:00:00+01:00'))?.toISOString()).toBe(
      at('2026-01-03T09:00:00+01:00').toISOString(),
    );
    expect(firstAfter(s, at('2026-01-03T09:00:00+01:00'))).toBeNull();
  });

  it('UNTIL in UTC is inclusive of that instant', () => {
    const s = series('FREQ=DAILY;UNTIL=20260103T080000Z', '2026-01-01T09:00:00+01:00', 'Europe/Berlin');
    expect(first(s, 10)).toHaveLength(3);
    expect(firstAfter(s, at('2026-01-03T08:00:00Z'))).toBeNull();
    const early = series('FREQ=DAILY;UNTIL=20260103T075959Z', '2026-01-01T09:00:00+01:00', 'Europe/Berlin');
    expect(first(early, 10)).toHaveLength(2);
  });

  it('UNTIL as a date includes that local day', () => {
    const s = series('FREQ=DAILY;UNTIL=20260103', '2026-01-01T23:30:00+01:00', 'Europe/Berlin');
    expect(first(s, 10)).toEqual(
      expected('2026-01-01T23:30:00+01:00', '2026-01-02T23:30:00+01:00', '2026-01-03T23:30:00+01:00'),
    );
  });

  it('assertHasFuture refuses a series that has ended, with the reason', () => {
    const s = series('FREQ=DAILY;COUNT=2', '2026-01-01T09:00:00+01:00', 'Europe/Berlin');
    expect(() => assertHasFuture(s, at('2026-01-01T12:00:00Z'))).not.toThrow();
    expect(() => assertHasFuture(s, at('2026-01-05T00:00:00Z'))).toThrow(
      new RuleError(
        'the rule has no occurrence after 2026-01-05T00:00:00.000Z: COUNT=2 ends the series before then',
      ),
    );
  });

  it('a combination that exists only in rare years is still found (5th Monday of February)', () => {
    const s = series('FREQ=MONTHLY;BYMONTH=2;BYDAY=5MO', '2026-01-01T09:00:00+01:00', 'Europe/Berlin');
    expect(firstAfter(s, s.start)?.toISOString()).toBe(at('2044-02-29T09:00:00+01:00').toISOString());
  });
});

describe('occurrencesBetween', () => {
  const s = series('FREQ=DAILY', '2026-01-01T09:00:00+01:00', 'Europe/Berlin');

  it('is at or after `from`, before `to`', () => {
    expect(iso(occurrencesBetween(s, at('2026-01-02T08:00:00Z'), at('2026-01-04T08:00:00Z'), 100))).toEqual(
      expected('2026-01-02T09:00:00+01:00', '2026-01-03T09:00:00+01:00'),
    );
  });

  it('stops at `limit`', () => {
    expect(occurrencesBetween(s, s.start, at('2027-01-01T00:00:00Z'), 4)).toHaveLength(4);
  });

  it('gives 365 for a year of a daily rule', () => {
    expect(occurrencesBetween(s, at('2027-01-01T00:00:00Z'), at('2028-01-01T00:00:00Z'), 1000)).toHaveLength(
      365,
    );
  });
});

describe('nextAfterCompletion (from: completion)', () => {
  const every3 = series('FREQ=DAILY;INTERVAL=3', '2026-01-01T09:00:00+01:00', 'Europe/Berlin');
  const mondays = series('FREQ=WEEKLY;BYDAY=MO', '2026-01-05T09:00:00+01:00', 'Europe/Berlin');

  it('every 3 days: three days after the local day it was done, at the series time', () => {
    expect(nextAfterCompletion(every3, at('2026-01-10T20:00:00+01:00'))?.toISOString()).toBe(
      at('2026-01-13T09:00:00+01:00').toISOString(),
    );
  });

  it('every 3 days: the local day counts, not the UTC one (00:30 Berlin is still 23:30 UTC)', () => {
    expect(nextAfterCompletion(every3, at('2026-01-10T23:30:00Z'))?.toISOString()).toBe(
      at('2026-01-14T09:00:00+01:00').toISOString(),
    );
  });

  it('every 3 days across the spring change keeps 09:00 local', () => {
    expect(nextAfterCompletion(every3, at('2026-03-27T12:00:00+01:00'))?.toISOString()).toBe(
      at('2026-03-30T09:00:00+02:00').toISOString(),
    );
  });

  it('weekly on Mondays: done on a Wednesday, the next Monday', () => {
    expect(nextAfterCompletion(mondays, at('2026-01-14T10:00:00+01:00'))?.toISOString()).toBe(
      at('2026-01-19T09:00:00+01:00').toISOString(),
    );
  });

  it('weekly on Mondays: done on a Monday, the Monday after', () => {
    expect(nextAfterCompletion(mondays, at('2026-01-19T08:00:00+01:00'))?.toISOString()).toBe(
      at('2026-01-26T09:00:00+01:00').toISOString(),
    );
  });

  it('UNTIL ends it', () => {
    const s = series(
      'FREQ=DAILY;INTERVAL=3;UNTIL=20260110T235959Z',
      '2026-01-01T09:00:00+01:00',
      'Europe/Berlin',
    );
    expect(nextAfterCompletion(s, at('2026-01-06T12:00:00+01:00'))?.toISOString()).toBe(
      at('2026-01-09T09:00:00+01:00').toISOString(),
    );
    expect(nextAfterCompletion(s, at('2026-01-08T12:00:00+01:00'))).toBeNull();
  });

  it('COUNT ends it after the original series’ last occurrence', () => {
    const s = series('FREQ=DAILY;INTERVAL=3;COUNT=3', '2026-01-01T09:00:00+01:00', 'Europe/Berlin');
    // Original series: 1, 4, 7 January.
    expect(nextAfterCompletion(s, at('2026-01-04T12:00:00+01:00'))?.toISOString()).toBe(
      at('2026-01-07T09:00:00+01:00').toISOString(),
    );
    expect(nextAfterCompletion(s, at('2026-01-06T12:00:00+01:00'))).toBeNull();
  });
});

describe('normalizeRule', () => {
  it('accepts the prefix, any case, and writes one canonical form', () => {
    expect(normalizeRule(' rrule:byday=mo,we,mo;freq=weekly;interval=2;wkst=su; ')).toBe(
      'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;WKST=SU',
    );
    expect(normalizeRule('FREQ=MONTHLY;BYDAY=+1MO,-1FR;COUNT=10')).toBe(
      'FREQ=MONTHLY;BYDAY=1MO,-1FR;COUNT=10',
    );
    expect(normalizeRule('FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=-1;UNTIL=20301231T000000Z')).toBe(
      'FREQ=YEARLY;BYMONTH=1,7;BYMONTHDAY=-1;UNTIL=20301231T000000Z',
    );
  });

  it.each([
    'FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=2',
    'FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2,1',
    'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5',
    'FREQ=YEARLY;BYMONTH=2;BYDAY=MO;BYSETPOS=-1',
  ])('accepts BYSETPOS within what a period can hold: %s', (rule) => {
    expect(normalizeRule(rule)).toContain('BYSETPOS=');
  });

  it.each([
    ['', 'the rule is empty: it needs at least FREQ, e.g. FREQ=WEEKLY'],
    ['FREQ=DAILY;'.padEnd(501, ' '), 'the rule is longer than 500 characters'],
    ['INTERVAL=2', 'FREQ is missing (DAILY, WEEKLY, MONTHLY or YEARLY)'],
    ['FREQ=HOURLY', 'FREQ=HOURLY is not supported: use DAILY, WEEKLY, MONTHLY or YEARLY'],
    ['FREQ=MINUTELY', 'FREQ=MINUTELY is not supported: use DAILY, WEEKLY, MONTHLY or YEARLY'],
    ['FREQ=SECONDLY', 'FREQ=SECONDLY is not supported: use DAILY, WEEKLY, MONTHLY or YEARLY'],
    ['FREQ=FORTNIGHTLY', 'FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, not "FORTNIGHTLY"'],
    ['FREQ=DAILY;BYHOUR=9', 'BYHOUR is not supported'],
    ['FREQ=DAILY;BYMINUTE=30', 'BYMINUTE is not supported'],
    ['FREQ=DAILY;BYSECOND=0', 'BYSECOND is not supported'],
    ['FREQ=YEARLY;BYWEEKNO=20', 'BYWEEKNO is not supported'],
    ['FREQ=YEARLY;BYYEARDAY=100', 'BYYEARDAY is not supported'],
    ['FREQ=DAILY;X-NAME=1', 'X-NAME is not a rule part we accept'],
    ['FREQ=DAILY;FREQ=WEEKLY', 'FREQ is given more than once'],
    ['FREQ=DAILY;COUNT', '"COUNT" is not a NAME=VALUE rule part'],
    ['FREQ=DAILY;INTERVAL=0', 'INTERVAL must be between 1 and 1000, not 0'],
    ['FREQ=DAILY;INTERVAL=1001', 'INTERVAL must be between 1 and 1000, not 1001'],
    ['FREQ=DAILY;INTERVAL=two', 'INTERVAL must be a whole number, not "TWO"'],
    ['FREQ=DAILY;COUNT=0', 'COUNT must be between 1 and 1000, not 0'],
    ['FREQ=DAILY;COUNT=1001', 'COUNT must be between 1 and 1000, not 1001'],
    ['FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z', 'COUNT and UNTIL cannot both be given'],
    ['FREQ=DAILY;UNTIL=2027-01-01', 'UNTIL must be a date (20261231) or a date-time (20261231T235959Z)'],
    ['FREQ=DAILY;UNTIL=20270230', 'UNTIL is not a valid date: "20270230"'],
    ['FREQ=MONTHLY;BYMONTHDAY=32', 'BYMONTHDAY values must be between 1 and 31 or -31 and -1, not 32'],
    ['FREQ=MONTHLY;BYMONTHDAY=0', 'BYMONTHDAY values must be between 1 and 31 or -31 and -1, not 0'],
    ['FREQ=MONTHLY;BYMONTHDAY=', 'BYMONTHDAY needs at least one value'],
    ['FREQ=MONTHLY;BYMONTHDAY=1,,2', 'BYMONTHDAY has an empty value in "1,,2"'],
    ['FREQ=WEEKLY;BYMONTHDAY=1', 'BYMONTHDAY cannot be used with FREQ=WEEKLY'],
    ['FREQ=YEARLY;BYMONTH=13', 'BYMONTH must be between 1 and 12, not 13'],
    ['FREQ=WEEKLY;BYDAY=XX', 'BYDAY values are weekdays MO…SU'],
    ['FREQ=WEEKLY;BYDAY=1MO', 'BYDAY with an ordinal (1MO) needs FREQ=MONTHLY or FREQ=YEARLY'],
    ['FREQ=DAILY;BYDAY=-1FR', 'BYDAY with an ordinal (-1FR) needs FREQ=MONTHLY or FREQ=YEARLY'],
    ['FREQ=MONTHLY;BYDAY=6MO', 'a BYDAY ordinal values must be between 1 and 5 or -5 and -1, not 6'],
    ['FREQ=MONTHLY;BYDAY=0MO', 'a BYDAY ordinal values must be between 1 and 5 or -5 and -1, not 0'],
    ['FREQ=MONTHLY;BYSETPOS=1', 'BYSETPOS needs another BYxxx part'],
    ['FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0', 'BYSETPOS values must be between 1 and 366 or -366 and -1, not 0'],
    ['FREQ=WEEKLY;WKST=XX', 'WKST must be a weekday MO…SU, not "XX"'],
    [
      'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
      'BYMONTHDAY=30 never falls in BYMONTH=2: the rule has no occurrence',
    ],
    ['FREQ=YEARLY;BYMONTH=4,6;BYMONTHDAY=-31', 'BYMONTHDAY=-31 never falls in BYMONTH=4,6'],
    [
      'FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2',
      'BYSETPOS=2 asks for more than the 1 occurrence a week of this rule can hold: the rule has no occurrence',
    ],
    ['FREQ=WEEKLY;INTERVAL=1000;BYDAY=MO,FR;BYSETPOS=3,-3', 'more than the 2 occurrences a week'],
    ['FREQ=DAILY;BYMONTH=3;BYSETPOS=2', 'more than the 1 occurrence a day'],
    ['FREQ=MONTHLY;BYDAY=1MO,-1FR;BYSETPOS=3', 'more than the 2 occurrences a month'],
    ['FREQ=MONTHLY;BYMONTHDAY=1,15;BYDAY=MO;BYSETPOS=-3', 'more than the 2 occurrences a month'],
    ['FREQ=DAILY COUNT=3', 'the rule must be one line of RRULE text without spaces'],
  ])('refuses %j: %s', (rule, reason) => {
    let caught: unknown;
    try {
      normalizeRule(rule);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RuleError);
    expect((caught as RuleError).reason).toContain(reason);
  });
});

describe('isTimeZone', () => {
  it.each(['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'])(
    'knows %s',
    (zone) => {
      expect(isTimeZone(zone)).toBe(true);
    },
  );

  it.each(['Mars/Olympus_Mons', '+01:00', 'UTC+1', '', 'Europe/Berlin; DROP'])('refuses %j', (zone) => {
    expect(isTimeZone(zone)).toBe(false);
  });
});
