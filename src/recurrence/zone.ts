/**
 * Wall-clock time ↔ instants in an IANA zone, through Temporal (the `temporal-polyfill` package,
 * or the runtime's own Temporal where it has one; both read the runtime's ICU time-zone data).
 *
 * A wall-clock time is carried as a "floating" number: the milliseconds `Date.UTC` gives for its
 * fields (so 2026-03-29 02:30 is Date.UTC(2026, 2, 29, 2, 30)). Arithmetic on it is calendar
 * arithmetic without any zone, which is what the RRULE expansion works on.
 */
import { Temporal } from 'temporal-polyfill';

const DAY_MS = 86_400_000;
export { DAY_MS };

const known = new Map<string, boolean>();
/** IANA names only: `Europe/Berlin`, `UTC`; not offsets such as `+01:00`. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

export function isZoneName(name: unknown): boolean {
  if (typeof name !== 'string' || !ZONE_NAME.test(name)) return false;
  let ok = known.get(name);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(name);
      ok = true;
    } catch {
      ok = false;
    }
    if (known.size < 1000) known.set(name, ok);
  }
  return ok;
}

/**
 * The runtime's spelling of a zone name `isZoneName` accepts (`europe/berlin` → `Europe/Berlin`):
 * what is stored and shown, so one zone is one value.
 */
export function canonicalZone(name: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
}

/** The wall-clock time (floating ms) at `epochMs` in `zone` (null: UTC). */
export function wallAt(epochMs: number, zone: string | null): number {
  if (zone === null) return epochMs;
  const zdt = Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(zone);
  return epochMs + zdt.offsetNanoseconds / 1e6;
}

/**
 * The instant of wall-clock time `wall` in `zone`: a time in a spring-forward gap moves forward by
 * the gap (02:30 → 03:30), a time in an autumn overlap is the first of its two instants (RFC 5545
 * 3.3.5; Temporal's 'compatible' disambiguation is exactly that).
 */
export function instantOf(wall: number, zone: string | null): number {
  if (zone === null) return wall;
  const d = new Date(wall);
  return Temporal.PlainDateTime.from({
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  }).toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
}

/** Floating ms → the Temporal value the RRULE library expands on (the UTC zone: no gaps, no overlaps). */
export function floating(wall: number): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(wall).toZonedDateTimeISO('UTC');
}

/** Midnight (floating) of the local day that floating `wall` falls on. */
export function startOfDay(wall: number): number {
  return Math.floor(wall / DAY_MS) * DAY_MS;
}

/**
 * `instantOf` for many wall-clock times of one zone, mostly ascending (a series' occurrences):
 * between two of the zone's transitions (Temporal's `getTimeZoneTransition`) the offset is one
 * number, so only the first time after a transition asks Temporal. Exact: a time whose instant
 * with the known offset lies at or after the last exact answer and before the next transition
 * has that instant, and it is the earliest one for that local time.
 */
export class ZoneClock {
  private offset = 0;
  private validFrom = Infinity;
  private validUntil = -Infinity;

  constructor(private readonly zone: string | null) {}

  instant(wall: number): number {
    if (this.zone === null) return wall;
    const t = wall - this.offset;
    if (t >= this.validFrom && t < this.validUntil) return t;
    const exact = instantOf(wall, this.zone);
    const zdt = Temporal.Instant.fromEpochMilliseconds(exact).toZonedDateTimeISO(this.zone);
    this.offset = zdt.offsetNanoseconds / 1e6;
    this.validFrom = exact;
    this.validUntil = zdt.getTimeZoneTransition('next')?.epochMilliseconds ?? Infinity;
    return exact;
  }
}
