/**
 * Occurrence arithmetic for recurring tasks (contract: "Recurring tasks"). Pure: no database, no
 * Nest. The one place that knows RRULE text and time zones; everything else passes a `Series`.
 *
 * How (docs/recurrence.md says why these libraries):
 * - rule.ts parses the contract's RRULE subset strictly (every refusal a RuleError with a reason);
 * - the RFC 5545 expansion is `rrule-temporal` (a maintained Temporal-based RRULE library), run on
 *   the series' WALL-CLOCK times: DTSTART is the due date's local date-time in the task's zone,
 *   expanded as floating time (in UTC, which has no gaps or overlaps);
 * - each wall-clock occurrence then becomes an instant in the zone through Temporal (zone.ts):
 *   a spring-gap time moves forward by the gap, an autumn-overlap time is the first instant.
 *   (rrule-temporal in a real zone would follow RFC 5545 3.3.10 and DROP gap times; the contract
 *   moves them forward, as RFC 5545 3.3.5 interprets such a DATE-TIME, and as python-dateutil does.)
 * Mapping wall-clock → instant is monotone, so order, COUNT and BYSETPOS are the wall-clock ones.
 *
 * A DTSTART the rule does not generate (a Tuesday due date with BYDAY=MO) is not an occurrence
 * (as in python-dateutil and rrule.js; RFC 5545 leaves it undefined).
 */
import { LRUCache } from 'lru-cache';
import { RRuleTemporal } from 'rrule-temporal';
import { formatRule, parseRule, type ParsedRule } from './rule.js';
import { RuleError } from './rule-error.js';
import { DAY_MS, floating, instantOf, isZoneName, startOfDay, wallAt } from './zone.js';

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
  const rule = rules.parse(series.rule);
  const end = rule.count !== null ? `COUNT=${rule.count}` : rule.until ? `UNTIL=${rule.until.text}` : null;
  throw new RuleError(
    end
      ? `the rule has no occurrence after ${now.toISOString()}: ${end} ends the series before then`
      : `the rule has no occurrence after ${now.toISOString()}`,
  );
}

/** The first occurrence strictly after `after`, or null when the series has ended. */
export function firstAfter(series: Series, after: Date): Date | null {
  const compiled = compile(series);
  const at = compiled.firstWhere(wallAt(after.getTime(), compiled.zone) - DAY_MS, (t) => t > after.getTime());
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
  const zone = original.zone;
  const doneDay = startOfDay(wallAt(completedAt.getTime(), zone));
  const timeOfDay = original.startWall - startOfDay(original.startWall);
  const restarted = compiled(series.rule, zone, doneDay + timeOfDay, { withoutCount: true });
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

// ---------------------------------------------------------------------------------------------

/** Parsed rules by text (a task's rule is read on every advance and listing). */
const rules = {
  cache: new LRUCache<string, ParsedRule>({ max: 1000 }),
  parse(text: string): ParsedRule {
    let rule = this.cache.get(text);
    if (!rule) {
      rule = parseRule(text);
      this.cache.set(text, rule);
    }
    return rule;
  },
};

class CompiledSeries {
  private readonly lib: RRuleTemporal;
  /** Upper bound (exclusive of nothing: inclusive) on instants, for UNTIL given in UTC. */
  private readonly untilInstant: number | null;

  constructor(
    readonly rule: ParsedRule,
    readonly zone: string | null,
    /** DTSTART as floating wall-clock ms. */
    readonly startWall: number,
    withoutCount: boolean,
  ) {
    let untilWall: number | null = null;
    this.untilInstant = null;
    const until = rule.until;
    if (until?.kind === 'utc') {
      this.untilInstant = until.epochMs;
      // A generous wall-clock bound so the library stops; the instant check is exact.
      untilWall = wallAt(until.epochMs, zone) + DAY_MS;
    } else if (until) {
      const w = until.wall;
      untilWall = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
      if (until.kind === 'date') untilWall += DAY_MS - 1;
    }
    this.lib = new RRuleTemporal({
      freq: rule.freq,
      interval: rule.interval,
      ...(rule.byDay && { byDay: rule.byDay.map((d) => `${d.ordinal ?? ''}${d.weekday}`) }),
      ...(rule.byMonthDay && { byMonthDay: rule.byMonthDay }),
      ...(rule.byMonth && { byMonth: rule.byMonth }),
      ...(rule.bySetPos && { bySetPos: rule.bySetPos }),
      ...(rule.wkst && { wkst: rule.wkst }),
      ...(rule.count !== null && !withoutCount && { count: rule.count }),
      ...(untilWall !== null && { until: floating(untilWall) }),
      dtstart: floating(startWall),
      tzid: 'UTC',
    });
  }

  private instant(wall: number): number | null {
    const t = instantOf(wall, this.zone);
    return this.untilInstant !== null && t > this.untilInstant ? null : t;
  }

  /** The first occurrence with wall-clock time after `wallCursor` whose instant passes `accept`. */
  firstWhere(wallCursor: number, accept: (instant: number) => boolean): number | null {
    let cursor = wallCursor;
    for (;;) {
      const next = this.safe(() => this.lib.next(new Date(cursor), false), null);
      if (next === null) return null;
      const wall = next.epochMilliseconds;
      const t = this.instant(wall);
      if (t === null) return null;
      if (accept(t)) return t;
      cursor = wall;
    }
  }

  /**
   * Instants in [from, to), in order, at most `limit`. The wall-clock window is walked a year at a
   * time (the library caps the periods one query may visit), stopping once `limit` are found.
   */
  between(from: number, to: number, limit: number): number[] {
    const out: number[] = [];
    const end = wallAt(to, this.zone) + DAY_MS;
    let lo = Math.max(wallAt(from, this.zone) - DAY_MS, this.startWall - 1);
    while (lo < end && out.length < limit) {
      const hi = Math.min(lo + CHUNK_MS, end);
      for (const w of this.lib.between(new Date(lo), new Date(hi), false)) {
        const t = this.instant(w.epochMilliseconds);
        if (t === null || t >= to) return out;
        if (t >= from) out.push(t);
        if (out.length === limit) return out;
      }
      if (hi === end) break;
      lo = hi - 1;
    }
    return out;
  }

  /** The last occurrence of a COUNT-bounded series. */
  last(): number | null {
    const all = this.safe(() => this.lib.all(), []);
    return all.length === 0 ? null : this.instant(all[all.length - 1].epochMilliseconds);
  }

  /**
   * The library gives up (throws) after 10 000 periods without an occurrence (e.g. a 5th Monday
   * that BYMONTHDAY rules out): for a series, that is "no occurrence".
   */
  private safe<T>(run: () => T, none: T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof Error && /Maximum (iterations|candidate)/i.test(error.message)) return none;
      throw error;
    }
  }
}

/** A year of wall-clock time: the step `between` walks a window in. */
const CHUNK_MS = 366 * DAY_MS;

const series = new LRUCache<string, CompiledSeries>({ max: 500 });

function compiled(
  ruleText: string,
  zone: string | null,
  startWall: number,
  options: { withoutCount?: boolean } = {},
): CompiledSeries {
  const key = `${ruleText}\n${zone ?? ''}\n${startWall}\n${options.withoutCount ? 1 : 0}`;
  let found = series.get(key);
  if (!found) {
    if (zone !== null && !isZoneName(zone)) throw new RuleError(`"${zone}" is not an IANA time zone`);
    found = new CompiledSeries(rules.parse(ruleText), zone, startWall, options.withoutCount ?? false);
    series.set(key, found);
  }
  return found;
}

function compile(s: Series): CompiledSeries {
  return compiled(s.rule, s.timeZone, wallAt(s.start.getTime(), s.timeZone));
}
