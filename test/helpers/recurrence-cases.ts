/**
 * Random recurring series for the recurrence oracle (test/recurrence-oracle.e2e-spec.ts): rules of
 * the contract's subset in a set of zones, deterministic from a seed.
 */
import { normalizeRule, RuleError } from '../../src/recurrence/recurrence.js';

export const WINDOW_START = Date.UTC(2020, 0, 1);
export const WINDOW_END = Date.UTC(2036, 0, 1);

export const ZONES: ReadonlyArray<[zone: string, standardOffsetMinutes: number]> = [
  ['Europe/Berlin', 60],
  ['Europe/London', 0],
  ['Europe/Dublin', 0],
  ['America/New_York', -300],
  ['America/Chicago', -360],
  ['America/Los_Angeles', -480],
  ['America/Phoenix', -420],
  ['America/St_Johns', -210],
  ['America/Havana', -300],
  ['America/Santiago', -240],
  ['America/Sao_Paulo', -180],
  ['Asia/Kolkata', 330],
  ['Asia/Kathmandu', 345],
  ['Asia/Tehran', 210],
  ['Asia/Tokyo', 540],
  ['Australia/Adelaide', 570],
  ['Australia/Sydney', 600],
  ['Australia/Lord_Howe', 630],
  ['Pacific/Auckland', 720],
  ['Pacific/Chatham', 765],
];
/** mulberry32: a small deterministic generator, so a failing case can be repeated from the seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

function ruleGenerator(rnd: () => number) {
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  const chance = (p: number) => rnd() < p;
  const some = <T>(items: readonly T[], max: number): T[] => {
    const k = int(1, Math.min(max, items.length));
    return [...items].sort(() => rnd() - 0.5).slice(0, k);
  };
  const signed = (max: number) => (chance(0.3) ? -1 : 1) * int(1, max);

  return function rule(): string {
    const freq = pick(['DAILY', 'DAILY', 'WEEKLY', 'WEEKLY', 'MONTHLY', 'MONTHLY', 'YEARLY']);
    const parts = [`FREQ=${freq}`];
    let interval = 1;
    if (chance(0.4)) interval = chance(0.9) ? int(2, 10) : int(11, 1000);
    // Every 7th day with BYDAY is one weekday, DTSTART's: another would never come (such a rule is
    // refused as having no future occurrence; dateutil would search up to year 9999 for it).
    if (freq === 'DAILY' && interval % 7 === 0) interval += 1;
    if (interval > 1) parts.push(`INTERVAL=${interval}`);
    let sets = 0;
    if (freq === 'DAILY') {
      if (chance(0.25)) parts.push(`BYDAY=${some(DAYS, 5).join(',')}`);
      if (chance(0.1)) parts.push(`BYMONTH=${some([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 6).join(',')}`);
    } else if (freq === 'WEEKLY') {
      if (chance(0.6)) {
        const days = some(DAYS, 4);
        parts.push(`BYDAY=${days.join(',')}`);
        sets = days.length;
      }
      if (chance(0.05)) parts.push(`BYMONTH=${some([3, 4, 9, 10, 11], 3).join(',')}`);
    } else {
      const yearly = freq === 'YEARLY';
      if (yearly && chance(0.7))
        parts.push(`BYMONTH=${some([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 3).join(',')}`);
      const shape = int(0, 4);
      if (shape === 1) {
        parts.push(`BYMONTHDAY=${Array.from({ length: int(1, 3) }, () => signed(31)).join(',')}`);
      } else if (shape === 2) {
        const ordinal = () => (chance(0.5) ? -1 : 1) * int(1, 4);
        parts.push(
          `BYDAY=${some(DAYS, 2)
            .map((d) => `${ordinal()}${d}`)
            .join(',')}`,
        );
      } else if (shape === 3) {
        parts.push(`BYDAY=${pick(['MO,TU,WE,TH,FR', 'SA,SU', 'MO,WE,FR', 'FR'])}`);
        sets = 4;
      } else if (shape === 4) {
        parts.push(`BYMONTHDAY=${int(1, 28)}`);
        parts.push(`BYDAY=${pick(DAYS)}`);
      }
    }
    if (sets > 0 && chance(0.3)) parts.push(`BYSETPOS=${(chance(0.5) ? -1 : 1) * int(1, sets)}`);
    if (chance(0.2)) parts.push(`WKST=${pick(DAYS)}`);
    const end = rnd();
    if (end < 0.3) parts.push(`COUNT=${int(1, 40)}`);
    else if (end < 0.6) {
      const until = new Date(int(WINDOW_START, WINDOW_END));
      parts.push(`UNTIL=${until.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}`);
    }
    return parts.join(';');
  };
}

export interface Case {
  zone: string;
  rule: string;
  start_ms: number;
  n: number;
  end_ms: number;
  probe_ms: number;
}
export interface Answer {
  occurrences: number[];
  after_probe: number | null;
}

export function cases(seed: number, rules: number, occurrences: number): Case[] {
  const rnd = random(seed);
  const nextRule = ruleGenerator(rnd);
  const out: Case[] = [];
  for (let i = 0; i < rules; i++) {
    let rule: string;
    for (;;) {
      try {
        rule = normalizeRule(nextRule());
        break;
      } catch (error) {
        if (!(error instanceof RuleError)) throw error;
      }
    }
    // One local wall-clock DTSTART for the rule, the same in each zone (unless it falls in a gap
    // there). Months around the changes are likelier.
    const year = 2020 + Math.floor(rnd() * 15);
    const month = rnd() < 0.6 ? [2, 3, 8, 9, 10][Math.floor(rnd() * 5)] : Math.floor(rnd() * 12);
    const day = 1 + Math.floor(rnd() * 28);
    const hour = rnd() < 0.5 ? Math.floor(rnd() * 4) : Math.floor(rnd() * 24);
    const minute = [0, 15, 30, 45, Math.floor(rnd() * 60)][Math.floor(rnd() * 5)];
    let wall = Date.UTC(year, month, day, hour, minute);
    // dateutil applies a WEEKLY rule's BYSETPOS, in DTSTART's own week, to the days from DTSTART
    // on (RFC 5545: to the whole week, as we do): such rules start on the week's first day here.
    if (/FREQ=WEEKLY.*BYSETPOS/.test(rule)) {
      const wkst = DAYS.indexOf(/WKST=(\w\w)/.exec(rule)?.[1] ?? 'MO');
      const weekday = (new Date(wall).getUTCDay() + 6) % 7; // MO = 0
      wall -= ((weekday - wkst + 7) % 7) * 86_400_000;
    }
    const probeDays = rnd() * 60;
    for (const [zone, standard] of ZONES) {
      const start = instantOfWall(wall, zone, standard);
      out.push({
        zone,
        rule,
        start_ms: start,
        n: occurrences,
        end_ms: WINDOW_END,
        probe_ms: start + Math.round((probeDays - 2) * 86_400_000),
      });
    }
  }
  return out;
}

/**
 * The instant of local time `wall` (floating ms) in `zone`, with Intl's offsets (the inputs only:
 * which instant a due date is does not need the engine; a time in a gap comes out an hour off).
 */
function instantOfWall(wall: number, zone: string, standardMinutes: number): number {
  let t = wall - standardMinutes * 60_000;
  for (let i = 0; i < 2; i++) t = wall - offsetAt(t, zone);
  return t;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function offsetAt(t: number, zone: string): number {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    formats.set(zone, format);
  }
  const name = format.formatToParts(t).find((p) => p.type === 'timeZoneName')!.value;
  const m = /GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(name)!;
  return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000 : 0;
}
