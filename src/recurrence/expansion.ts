/**
 * The RRULE expansion behind recurrence.ts. Two layers:
 * - WallSeries: the rule expanded by `rrule-temporal` on floating wall-clock time (in UTC, which has
 *   no gaps or overlaps) from DTSTART's local date-time. It does not depend on the zone, so one
 *   serves every zone with the same local DTSTART (cached by rule text and DTSTART).
 * - ZonedSeries: a WallSeries read in one zone: each wall-clock occurrence becomes an instant
 *   (zone.ts: a gap time moves forward by the gap, an overlap time is the first instant), and an
 *   UNTIL given in UTC is applied to those instants. Wall-clock → instant is monotone, so the
 *   order of occurrences is the same in both.
 */
import { LRUCache } from 'lru-cache';
import { RRuleTemporal } from 'rrule-temporal';
import { parseRule, type ParsedRule } from './rule.js';
import { DAY_MS, floating, wallAt, ZoneClock } from './zone.js';

/** At most a year of wall-clock time per library query. */
const MAX_CHUNK_MS = 366 * DAY_MS;
/** Up to this many occurrences a window is walked occurrence by occurrence (`next`), beyond it in chunks. */
const STEPWISE_LIMIT = 50;
/** How far from DTSTART, and how many, occurrences a WallSeries keeps once found. */
const KNOWN_SPAN_MS = 3 * 366 * DAY_MS;
const KNOWN_MAX = 1100;
const MAX_ZONE_AHEAD_MS = 15 * 3_600_000;
const PERIOD_DAYS = { DAILY: 1, WEEKLY: 7, MONTHLY: 31, YEARLY: 366 } as const;

/** Parsed rules by text (a task's rule is read on every advance and listing). */
const parsed = new LRUCache<string, ParsedRule>({ max: 1000 });
export function ruleOf(text: string): ParsedRule {
  let rule = parsed.get(text);
  if (!rule) {
    rule = parseRule(text);
    parsed.set(text, rule);
  }
  return rule;
}

export class WallSeries {
  private readonly lib: RRuleTemporal;
  /** The wall-clock length of one period of the rule (FREQ × INTERVAL), roughly. */
  readonly periodMs: number;
  /** The local UNTIL (a date or a floating date-time) as wall-clock ms; UTC ones are ZonedSeries'. */
  private readonly untilWall: number | null;
  private readonly count: number | null;
  /**
   * The occurrences from DTSTART up to `knownUntil` (exclusive), found a chunk at a time: queries
   * near the start of a series (the usual ones: a task's series starts at its due date) are then
   * a binary search, not a library query each.
   */
  private readonly known: number[] = [];
  private knownUntil: number;
  private chunkMs: number;
  private ended = false;

  constructor(
    readonly rule: ParsedRule,
    /** DTSTART as floating wall-clock ms. */
    readonly startWall: number,
    withoutCount: boolean,
  ) {
    this.periodMs = PERIOD_DAYS[rule.freq] * rule.interval * DAY_MS;
    this.count = withoutCount ? null : rule.count;
    const until = rule.until;
    let untilWall: number | null = null;
    // UNTIL in UTC is an instant: ZonedSeries applies it exactly; here it bounds the wall clock
    // loosely (no zone is more than 14 hours ahead of UTC), so one expansion serves every zone.
    if (until?.kind === 'utc') {
      untilWall = until.epochMs + MAX_ZONE_AHEAD_MS;
    } else if (until) {
      const w = until.wall;
      untilWall = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
      if (until.kind === 'date') untilWall += DAY_MS - 1;
    }
    this.untilWall = untilWall;
    this.knownUntil = startWall;
    this.chunkMs = Math.min(Math.max(8 * this.periodMs, 2 * DAY_MS), MAX_CHUNK_MS);
    this.lib = new RRuleTemporal({
      freq: rule.freq,
      interval: rule.interval,
      ...(rule.byDay && { byDay: rule.byDay.map((d) => `${d.ordinal ?? ''}${d.weekday}`) }),
      ...(rule.byMonthDay && { byMonthDay: rule.byMonthDay }),
      ...(rule.byMonth && { byMonth: rule.byMonth }),
      ...(rule.bySetPos && { bySetPos: rule.bySetPos }),
      ...(rule.wkst && { wkst: rule.wkst }),
      ...(this.count !== null && { count: this.count }),
      ...(untilWall !== null && { until: floating(untilWall) }),
      dtstart: floating(startWall),
      tzid: 'UTC',
    });
  }

  /** The first occurrence after wall-clock `wall` (exclusive), or null when the series has ended. */
  next(wall: number): number | null {
    for (;;) {
      const i = firstAbove(this.known, wall);
      if (i < this.known.length) return this.known[i];
      if (this.ended) return null;
      const limit = this.startWall + KNOWN_SPAN_MS;
      if (wall >= limit || this.knownUntil >= limit || this.known.length >= KNOWN_MAX) {
        const from = Math.max(wall, this.knownUntil - 1);
        return giveUp(() => this.lib.next(new Date(from), false)?.epochMilliseconds ?? null, null);
      }
      this.extend();
    }
  }

  /** Whether `next` answers from what is known for a cursor at `wall` (no library query). */
  isKnown(wall: number): boolean {
    return wall < this.startWall + KNOWN_SPAN_MS;
  }

  private extend(): void {
    const lo = this.knownUntil;
    const hi = lo + this.chunkMs;
    // (lo - 1, hi): the library's window is exclusive at both ends.
    for (const d of this.lib.between(new Date(lo - 1), new Date(hi), false))
      this.known.push(d.epochMilliseconds);
    this.knownUntil = hi;
    this.chunkMs = Math.min(this.chunkMs * 2, MAX_CHUNK_MS);
    if (this.count !== null && this.known.length >= this.count) this.ended = true;
    if (this.untilWall !== null && hi > this.untilWall) this.ended = true;
  }

  /** Occurrences in the wall-clock window (lo, hi), both exclusive. */
  between(lo: number, hi: number): number[] {
    return this.lib.between(new Date(lo), new Date(hi), false).map((d) => d.epochMilliseconds);
  }

  /** Every occurrence of a series with COUNT or UNTIL. */
  all(): number[] {
    return giveUp(() => this.lib.all().map((d) => d.epochMilliseconds), []);
  }
}

/** The index of the first value above `x` in sorted `values` (values.length when none). */
function firstAbove(values: number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The library gives up (throws) after 10 000 periods without an occurrence (e.g. a 5th Monday that
 * BYMONTHDAY rules out): for a series, that is "no further occurrence".
 */
function giveUp<T>(run: () => T, none: T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof Error && /^Maximum (iterations|candidate)/i.test(error.message)) return none;
    throw error;
  }
}

const wallSeries = new LRUCache<string, WallSeries>({ max: 500 });

export function wallSeriesOf(ruleText: string, startWall: number, withoutCount = false): WallSeries {
  const key = `${ruleText}\n${startWall}\n${withoutCount ? 1 : 0}`;
  let found = wallSeries.get(key);
  if (!found) {
    found = new WallSeries(ruleOf(ruleText), startWall, withoutCount);
    wallSeries.set(key, found);
  }
  return found;
}

export class ZonedSeries {
  /** For UNTIL in UTC: the last instant an occurrence may have. */
  private readonly untilInstant: number | null;
  private readonly clock: ZoneClock;

  constructor(
    readonly wall: WallSeries,
    readonly zone: string | null,
  ) {
    this.clock = new ZoneClock(zone);
    const until = wall.rule.until;
    this.untilInstant = until?.kind === 'utc' ? until.epochMs : null;
  }

  get rule(): ParsedRule {
    return this.wall.rule;
  }

  /** The instant of wall-clock occurrence `wall`, or null when UNTIL has ended the series before it. */
  private instant(wall: number): number | null {
    const t = this.clock.instant(wall);
    return this.untilInstant !== null && t > this.untilInstant ? null : t;
  }

  /** The first occurrence with wall-clock time after `wallCursor` whose instant passes `accept`. */
  firstWhere(wallCursor: number, accept: (instant: number) => boolean): number | null {
    let cursor = wallCursor;
    for (;;) {
      const wall = this.wall.next(cursor);
      if (wall === null) return null;
      const t = this.instant(wall);
      if (t === null) return null;
      if (accept(t)) return t;
      cursor = wall;
    }
  }

  /**
   * Instants in [from, to), in order, at most `limit`. A few are found occurrence by occurrence;
   * more in chunks of wall-clock time (the library caps the periods one query may visit, and
   * expands a whole chunk): the first about the span `limit` occurrences need, doubling up to a year.
   */
  between(from: number, to: number, limit: number): number[] {
    const out: number[] = [];
    const end = wallAt(to, this.zone) + DAY_MS;
    let lo = Math.max(wallAt(from, this.zone) - DAY_MS, this.wall.startWall - 1);
    if (limit <= STEPWISE_LIMIT || this.wall.isKnown(lo)) {
      for (;;) {
        const wall = this.wall.next(lo);
        if (wall === null) return out;
        const t = this.instant(wall);
        if (t === null || t >= to) return out;
        if (t >= from) out.push(t);
        if (out.length === limit) return out;
        lo = wall;
      }
    }
    let span = Math.min(Math.max(limit * this.wall.periodMs, 2 * DAY_MS), MAX_CHUNK_MS);
    while (lo < end) {
      const hi = Math.min(lo + span, end);
      for (const wall of this.wall.between(lo, hi)) {
        const t = this.instant(wall);
        if (t === null || t >= to) return out;
        if (t >= from) out.push(t);
        if (out.length === limit) return out;
      }
      if (hi === end) break;
      lo = hi - 1;
      span = Math.min(span * 2, MAX_CHUNK_MS);
    }
    return out;
  }

  /** The last occurrence of a series with COUNT, or null when it has none. */
  last(): number | null {
    const walls = this.wall.all();
    for (let i = walls.length - 1; i >= 0; i--) {
      const t = this.instant(walls[i]);
      if (t !== null) return t;
    }
    return null;
  }
}
