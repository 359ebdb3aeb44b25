import pg from 'pg';

const TIMESTAMPTZ: number = pg.types.builtins.TIMESTAMPTZ;
const parseWithDate = pg.types.getTypeParser(TIMESTAMPTZ, 'text') as (text: string) => Date;

/** PostgreSQL's ISO text of a UTC `timestamptz` with at most microseconds: `2026-11-26 23:39:24.12+00`. */
const UTC_TEXT = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?\+00$/;

/**
 * A `timestamptz` column as the API writes it: what `Date#toISOString()` gives
 * (`2026-11-26T23:39:24.120Z`, milliseconds, UTC), without making a Date. The columns are
 * `timestamptz(3)`, so the text carries at most milliseconds; a session in another time zone or a
 * year outside 0000–9999 goes through pg's own parser.
 */
export function isoTimestamp(text: string): string {
  if (!UTC_TEXT.test(text)) return parseWithDate(text).toISOString();
  const fraction = text.length > 22 ? text.slice(20, -3) : '';
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${(fraction + '000').slice(0, 3)}Z`;
}

/** pg type parsers for the app's queries: `timestamptz` as ISO strings, everything else as pg does. */
export const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    return oid === TIMESTAMPTZ && format !== 'binary'
      ? isoTimestamp
      : (pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown);
  },
};
