/**
 * RRULE text: the contract's accepted subset, parsed strictly and written back in one canonical
 * form. No dates are computed here (see recurrence.ts); this only knows the grammar and the limits.
 */
import { RuleError } from './rule-error.js';

/** The limits of the accepted subset (contract: "Recurring tasks"). One place. */
export const RULE_LIMITS = {
  maxLength: 500,
  interval: { min: 1, max: 1000 },
  count: { min: 1, max: 1000 },
} as const;

export type Freq = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** UNTIL as written: a UTC instant (`…Z`), a local date-time in the series' zone, or a local date. */
export type Until =
  | { kind: 'utc'; text: string; epochMs: number }
  | { kind: 'local'; text: string; wall: LocalDateTime }
  | { kind: 'date'; text: string; wall: LocalDateTime };

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export interface ByDay {
  ordinal: number | null;
  weekday: Weekday;
}

export interface ParsedRule {
  freq: Freq;
  interval: number;
  byDay: ByDay[] | null;
  byMonthDay: number[] | null;
  byMonth: number[] | null;
  bySetPos: number[] | null;
  count: number | null;
  until: Until | null;
  wkst: Weekday | null;
}

const FREQS: readonly string[] = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'];
const UNSUPPORTED_FREQS: readonly string[] = ['SECONDLY', 'MINUTELY', 'HOURLY'];
/** RFC 5545 rule parts the contract leaves out, named so the reason can say "not supported". */
const UNSUPPORTED_PARTS: readonly string[] = [
  'BYSECOND',
  'BYMINUTE',
  'BYHOUR',
  'BYWEEKNO',
  'BYYEARDAY',
  'RSCALE',
  'SKIP',
];
const SUPPORTED = 'FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, COUNT, UNTIL and WKST';
const INTEGER = /^[+-]?\d{1,6}$/;

function fail(reason: string): never {
  throw new RuleError(reason);
}

function integer(name: string, text: string, min: number, max: number, signed: boolean): number {
  if (!INTEGER.test(text)) fail(`${name} must be a whole number, not "${text}"`);
  const n = Number(text);
  if (signed) {
    if (n === 0 || Math.abs(n) < min || Math.abs(n) > max) {
      fail(`${name} values must be between ${min} and ${max} or -${max} and -${min}, not ${text}`);
    }
  } else if (text.startsWith('-') || n < min || n > max) {
    fail(`${name} must be between ${min} and ${max}, not ${text}`);
  }
  return n;
}

function list<T>(name: string, text: string, each: (item: string) => T): T[] {
  if (text === '') fail(`${name} needs at least one value`);
  const items = text.split(',').map((item) => {
    if (item === '') fail(`${name} has an empty value in "${text}"`);
    return each(item);
  });
  return items;
}

function uniqueNumbers(values: number[]): number[] {
  return [...new Set(values)];
}

const BYDAY_ITEM = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/;

function parseByDay(text: string, freq: Freq): ByDay[] {
  const seen = new Set<string>();
  const days: ByDay[] = [];
  for (const item of list('BYDAY', text, (s) => s)) {
    const m = BYDAY_ITEM.exec(item);
    if (!m)
      fail(`BYDAY values are weekdays MO…SU, optionally with an ordinal such as 1MO or -1FR, not "${item}"`);
    let ordinal: number | null = null;
    if (m[1] !== undefined) {
      if (freq !== 'MONTHLY' && freq !== 'YEARLY') {
        fail(`BYDAY with an ordinal (${item}) needs FREQ=MONTHLY or FREQ=YEARLY`);
      }
      const max = freq === 'MONTHLY' ? 5 : 53;
      ordinal = integer('a BYDAY ordinal', m[1], 1, max, true);
    }
    const day = { ordinal, weekday: m[2] as Weekday };
    const key = `${ordinal ?? ''}${day.weekday}`;
    if (!seen.has(key)) days.push(day);
    seen.add(key);
  }
  return days;
}

const UNTIL_TEXT = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/;

function parseUntil(text: string): Until {
  const m = UNTIL_TEXT.exec(text);
  if (!m) {
    fail(`UNTIL must be a date (20261231) or a date-time (20261231T235959Z), not "${text}"`);
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (
    year < 1900 ||
    probe.getUTCMonth() !== month - 1 ||
    probe.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    fail(`UNTIL is not a valid date: "${text}"`);
  }
  const wall = { year, month, day, hour, minute, second };
  if (m[4] === undefined) return { kind: 'date', text, wall };
  if (m[7] === 'Z') return { kind: 'utc', text, epochMs: probe.getTime() };
  return { kind: 'local', text, wall };
}

/** Parses RRULE text (an `RRULE:` prefix accepted) into the subset, or throws RuleError. */
export function parseRule(input: string): ParsedRule {
  if (typeof input !== 'string') fail('the rule must be RRULE text');
  if (input.length > RULE_LIMITS.maxLength) {
    fail(`the rule is longer than ${RULE_LIMITS.maxLength} characters`);
  }
  let text = input.trim().toUpperCase();
  if (text.startsWith('RRULE:')) text = text.slice('RRULE:'.length);
  if (text.endsWith(';')) text = text.slice(0, -1);
  if (text === '') fail('the rule is empty: it needs at least FREQ, e.g. FREQ=WEEKLY');
  if (/\s|[\r\n]/.test(text)) fail('the rule must be one line of RRULE text without spaces');

  const parts = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) fail(`"${part}" is not a NAME=VALUE rule part`);
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (parts.has(name)) fail(`${name} is given more than once`);
    if (UNSUPPORTED_PARTS.includes(name)) fail(`${name} is not supported (supported: ${SUPPORTED})`);
    if (
      !['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYSETPOS', 'COUNT', 'UNTIL', 'WKST'].includes(
        name,
      )
    ) {
      fail(`${name} is not a rule part we accept (supported: ${SUPPORTED})`);
    }
    parts.set(name, value);
  }

  const freqText = parts.get('FREQ');
  if (freqText === undefined) fail('FREQ is missing (DAILY, WEEKLY, MONTHLY or YEARLY)');
  if (UNSUPPORTED_FREQS.includes(freqText)) {
    fail(`FREQ=${freqText} is not supported: use DAILY, WEEKLY, MONTHLY or YEARLY`);
  }
  if (!FREQS.includes(freqText)) fail(`FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, not "${freqText}"`);
  const freq = freqText as Freq;

  const at = (name: string) => parts.get(name);
  const intervalText = at('INTERVAL');
  const interval =
    intervalText === undefined
      ? 1
      : integer('INTERVAL', intervalText, RULE_LIMITS.interval.min, RULE_LIMITS.interval.max, false);

  const byDayText = at('BYDAY');
  const byDay = byDayText === undefined ? null : parseByDay(byDayText, freq);

  const byMonthDayText = at('BYMONTHDAY');
  if (byMonthDayText !== undefined && freq === 'WEEKLY') {
    fail('BYMONTHDAY cannot be used with FREQ=WEEKLY');
  }
  const byMonthDay =
    byMonthDayText === undefined
      ? null
      : uniqueNumbers(list('BYMONTHDAY', byMonthDayText, (s) => integer('BYMONTHDAY', s, 1, 31, true)));

  const byMonthText = at('BYMONTH');
  const byMonth =
    byMonthText === undefined
      ? null
      : uniqueNumbers(list('BYMONTH', byMonthText, (s) => integer('BYMONTH', s, 1, 12, false)));

  const bySetPosText = at('BYSETPOS');
  if (bySetPosText !== undefined && byDay === null && byMonthDay === null && byMonth === null) {
    fail('BYSETPOS needs another BYxxx part (BYDAY, BYMONTHDAY or BYMONTH) to pick from');
  }
  const bySetPos =
    bySetPosText === undefined
      ? null
      : uniqueNumbers(list('BYSETPOS', bySetPosText, (s) => integer('BYSETPOS', s, 1, 366, true)));

  const countText = at('COUNT');
  const untilText = at('UNTIL');
  if (countText !== undefined && untilText !== undefined) fail('COUNT and UNTIL cannot both be given');
  const count =
    countText === undefined
      ? null
      : integer('COUNT', countText, RULE_LIMITS.count.min, RULE_LIMITS.count.max, false);
  const until = untilText === undefined ? null : parseUntil(untilText);

  const wkstText = at('WKST');
  if (wkstText !== undefined && !(WEEKDAYS as readonly string[]).includes(wkstText)) {
    fail(`WKST must be a weekday MO…SU, not "${wkstText}"`);
  }
  const wkst = (wkstText as Weekday | undefined) ?? null;

  const rule: ParsedRule = { freq, interval, byDay, byMonthDay, byMonth, bySetPos, count, until, wkst };
  assertPossibleDays(rule);
  assertReachablePositions(rule);
  return rule;
}

const MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** BYMONTHDAY=30 with BYMONTH=2 (and the like) never happens: say so instead of searching forever. */
function assertPossibleDays(rule: ParsedRule): void {
  if (rule.byMonthDay === null || rule.byMonth === null) return;
  const months = rule.byMonth;
  const possible = months.some((month) =>
    rule.byMonthDay!.some((day) => Math.abs(day) <= MAX_DAYS[month - 1]),
  );
  if (!possible) {
    fail(
      `BYMONTHDAY=${rule.byMonthDay.join(',')} never falls in BYMONTH=${months.join(',')}: the rule has no occurrence`,
    );
  }
}

/**
 * BYSETPOS picks from the occurrences of one period (a day, a week, a month): when every position
 * asked for lies beyond what such a period can hold (BYSETPOS=2 of a weekly rule on Mondays), the
 * rule never occurs. Said at once: the library would search 10 000 periods first, a second of CPU.
 */
function assertReachablePositions(rule: ParsedRule): void {
  if (rule.bySetPos === null || rule.freq === 'YEARLY') return;
  const most =
    rule.freq === 'DAILY'
      ? 1
      : rule.freq === 'WEEKLY'
        ? (rule.byDay?.length ?? 1)
        : rule.byMonthDay
          ? rule.byMonthDay.length
          : rule.byDay
            ? rule.byDay.reduce((n, d) => n + (d.ordinal ? 1 : 5), 0)
            : 1;
  if (rule.bySetPos.every((pos) => Math.abs(pos) > most)) {
    const period = { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month' }[rule.freq];
    fail(
      `BYSETPOS=${rule.bySetPos.join(',')} asks for more than the ${most} occurrence${most === 1 ? '' : 's'} a ${period} of this rule can hold: the rule has no occurrence`,
    );
  }
}

/** The canonical text of a parsed rule: parts in one order, upper case, no prefix. */
export function formatRule(rule: ParsedRule): string {
  const parts = [`FREQ=${rule.freq}`];
  if (rule.interval !== 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.byMonth) parts.push(`BYMONTH=${rule.byMonth.join(',')}`);
  if (rule.byMonthDay) parts.push(`BYMONTHDAY=${rule.byMonthDay.join(',')}`);
  if (rule.byDay) parts.push(`BYDAY=${rule.byDay.map((d) => `${d.ordinal ?? ''}${d.weekday}`).join(',')}`);
  if (rule.bySetPos) parts.push(`BYSETPOS=${rule.bySetPos.join(',')}`);
  if (rule.wkst) parts.push(`WKST=${rule.wkst}`);
  if (rule.count !== null) parts.push(`COUNT=${rule.count}`);
  if (rule.until) parts.push(`UNTIL=${rule.until.text}`);
  return parts.join(';');
}
