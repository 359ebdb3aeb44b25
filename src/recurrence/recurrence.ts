/**
 * Occurrence arithmetic for recurring tasks (contract: "Recurring tasks"). Pure: no database, no
 * Nest. The one place that knows RRULE text and time zones; everything else passes a `Series`.
 *
 * INTERFACE FIRST (implementation lands with issue #30's engine slice): the signatures and the
 * meaning below are what the task integration codes against.
 */

/** A rule or zone the contract does not accept; `reason` is the sentence a 400 shows for `recurrence.rule`. */
export class RuleError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RuleError';
  }
}

/** A recurring task's series: its rule, the instant it started at (its DTSTART), and its zone (null: UTC). */
export interface Series {
  /** Normalised RRULE text, as `normalizeRule` returns it (no `RRULE:` prefix). */
  rule: string;
  start: Date;
  timeZone: string | null;
}

/** Whether `name` is an IANA zone name this runtime knows. */
export function isTimeZone(name: string): boolean {
  void name;
  throw new Error('not implemented');
}

/**
 * Checks RRULE text against the contract's subset (FREQ DAILY/WEEKLY/MONTHLY/YEARLY, INTERVAL 1–1000,
 * BYDAY with ordinals for monthly/yearly, BYMONTHDAY ±1–31, BYMONTH, BYSETPOS, COUNT 1–1000 or
 * UNTIL, WKST; at most 500 characters; an `RRULE:` prefix accepted) and returns it normalised.
 * Throws RuleError naming what is wrong.
 */
export function normalizeRule(text: string): string {
  void text;
  throw new Error('not implemented');
}

/** Throws RuleError when `series` has no occurrence after `now` (a rule with no future occurrence). */
export function assertHasFuture(series: Series, now: Date): void {
  void series;
  void now;
  throw new Error('not implemented');
}

/** The first occurrence strictly after `after`, or null when the series has ended. */
export function firstAfter(series: Series, after: Date): Date | null {
  void series;
  void after;
  throw new Error('not implemented');
}

/**
 * `from: completion`: the first occurrence on a later local day than `completedAt`, of the rule
 * started on the completion's local date at the series' local time of day; null when the series
 * (COUNT/UNTIL) has ended.
 */
export function nextAfterCompletion(series: Series, completedAt: Date): Date | null {
  void series;
  void completedAt;
  throw new Error('not implemented');
}

/** Occurrences at or after `from` and before `to`, at most `limit`, in order. */
export function occurrencesBetween(series: Series, from: Date, to: Date, limit: number): Date[] {
  void series;
  void from;
  void to;
  void limit;
  throw new Error('not implemented');
}
