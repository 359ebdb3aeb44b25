/**
 * Occurrence arithmetic for recurring tasks (contract: "Recurring tasks"). Pure: no database, no
 * Nest. The one place that knows RRULE text and time zones; everything else passes a `Series`.
 *
 * How (docs/recurrence.md says why these libraries and what was rejected):
 * - rule.ts parses the contract's RRULE subset strictly (every refusal a RuleError with a reason);
 * - expansion.ts expands it with `rrule-temporal` (a maintained RFC 5545 library on Temporal) on
 *   the series' WALL-CLOCK times: DTSTART is the due date's local date-time in the task's zone,
 *   expanded as floating time (in UTC, which has no gaps or overlaps);
 * - zone.ts turns each wall-clock occurrence into an instant with Temporal (`temporal-polyfill`,
 *   IANA zones from the runtime's ICU data): a spring-gap time moves forward by the gap, an
 *   autumn-overlap time is the first instant (RFC 5545 3.3.5; rrule-temporal in a real zone would
 *   DROP gap times, as RFC 5545 3.3.10 does, which the contract does not want).
 * Wall-clock → instant is monotone, so order, COUNT and BYSETPOS are the wall-clock ones.
 *
 * A DTSTART the rule does not generate (a Tuesday due date with BYDAY=MO) is not an occurrence
 * (as in python-dateutil and rrule.js; RFC 5545 leaves it undefined).
 */
import { ruleOf, wallSeriesOf, ZonedSeries } from './expansion.js';
import { formatRule, parseRule } from './rule.js';
import { RuleError } from './rule-error.js';
import { canonicalZone, DAY_MS, isZoneName, startOfDay, wallAt } from './zone.js';
export { canonicalZone };

export { RuleError } from './rule-error.js';
export { RULE_LIMITS } from './rule.js';

/** A recurring task's series: its rule, the instant it started at (its DTSTART), and its zone (null: UTC). */
export interface Series {
  /** Normalised RRULE text, as `normalizeRule` returns it (no `RRULE:` prefix). */
  rule: string;
  start: Date;
  timeZone: string | null;
}

/** Whether `name` is an IANA zone name this runtime knows. */
export function isTimeZone(name: string): boolean {
  return isZoneName(name);
}

/**
 * Checks RRULE text against the contract's subset (FREQ DAILY/WEEKLY/MONTHLY/YEARLY, INTERVAL 1–1000,
 * BYDAY with ordinals for monthly/yearly, BYMONTHDAY ±1–31, BYMONTH, BYSETPOS, COUNT 1–1000 or
 * UNTIL, WKST; at most 500 characters; an `RRULE:` prefix accepted) and returns it normalised.
 * Throws RuleError naming what is wrong.
 */
export function normalizeRule(text: string): string {
  return formatRule(parseRule(text));
}

/** Throws RuleError when `series` has no occurrence after `now` (a rule with no future occurrence). */
export function assertHasFuture(series: Series, now: Date): void {
  if (firstAfter(series, now) !== null) return;
  const rule = ruleOf(series.rule);
  const end = rule.count !== null ? `COUNT=${rule.count}` : rule.until ? `UNTIL=${rule.until.text}` : null;
  throw new RuleError(
    end
      ? `the rule has no occurrence after ${now.toISOString()}: ${end} ends the series before then`
      : `the rule has no occurrence after ${now.toISOString()}`,
  );
}

/** The first occurrence strictly after `after`, or null when the series has ended. */
export function firstAfter(series: Series, after: Date): Date | null {
  const at = compile(series).firstWhere(
    wallAt(after.getTime(), series.timeZone) - DAY_MS,
    (t) => t > after.getTime(),
  );
  return at === null ? null : new Date(at);
}

/**
 * `from: completion`: the first occurrence on a later local day than `completedAt`, of the rule
 * started on the completion's local date at the series' local time of day; null when the series
 * (COUNT/UNTIL) has ended.
 *
 * UNTIL keeps its meaning. COUNT counts the original series: a candidate after the original
 * series' last occurrence means the series has ended (null).
 */
export function nextAfterCompletion(series: Series, completedAt: Date): Date | null {
  const original = compile(series);
  const zone = series.timeZone;
  const doneDay = startOfDay(wallAt(completedAt.getTime(), zone));
  const timeOfDay = original.wall.startWall - startOfDay(original.wall.startWall);
  const restarted = new ZonedSeries(wallSeriesOf(series.rule, doneDay + timeOfDay, true), zone);
  const at = restarted.firstWhere(doneDay + DAY_MS - 1, () => true);
  if (at === null) return null;
  if (original.rule.count !== null) {
    const last = original.last();
    if (last === null || at > last) return null;
  }
  return new Date(at);
}

/** Occurrences at or after `from` and before `to`, at most `limit`, in order. */
export function occurrencesBetween(series: Series, from: Date, to: Date, limit: number): Date[] {
  if (limit <= 0 || to.getTime() <= from.getTime()) return [];
  const compiled = compile(series);
  return compiled.between(from.getTime(), to.getTime(), limit).map((t) => new Date(t));
}

/** `series` read in its zone (its wall-clock expansion is shared by every zone, see expansion.ts). */
function compile(series: Series): ZonedSeries {
  const zone = series.timeZone;
  if (zone !== null && !isZoneName(zone)) throw new RuleError(`"${zone}" is not an IANA time zone`);
  return new ZonedSeries(wallSeriesOf(series.rule, wallAt(series.start.getTime(), zone)), zone);
}
