import ICAL from 'ical.js';
import { instantOfProperty } from './ical-mapping.js';
import { child, childrenNamed, NS, type XmlElement } from './dav-xml.js';

/**
 * CALDAV:filter of a calendar-query (RFC 4791 9.7), evaluated on a resource's iCalendar: comp-filter
 * (nested, is-not-defined, time-range), prop-filter (is-not-defined, text-match with the
 * i;ascii-casemap and i;octet collations and negate-condition, time-range), param-filter. A VTODO's
 * time range follows RFC 4791 9.9 on DTSTART, DUE, COMPLETED and CREATED; recurring VTODOs are
 * matched on their master only (no expansion).
 */
export function matches(filter: XmlElement | undefined, ics: string): boolean {
  const top = child(filter, NS.CALDAV, 'comp-filter');
  if (!top) return true;
  let calendar: ICAL.Component;
  try {
    calendar = new ICAL.Component(ICAL.parse(ics) as unknown[]);
  } catch {
    return false;
  }
  return compMatches([calendar], top, calendar);
}

const attr = (el: XmlElement, name: string): string => el.attributes[name] ?? '';

/** Whether some component of `candidates` named as `f` says passes comp-filter `f`. */
function compMatches(candidates: ICAL.Component[], f: XmlElement, calendar: ICAL.Component): boolean {
  const named = candidates.filter((c) => c.name === attr(f, 'name').toLowerCase());
  if (child(f, NS.CALDAV, 'is-not-defined')) return named.length === 0;
  return named.some((comp) => {
    const range = child(f, NS.CALDAV, 'time-range');
    if (range && !componentInRange(comp, range, calendar)) return false;
    if (!childrenNamed(f, NS.CALDAV, 'prop-filter').every((p) => propMatches(comp, p, calendar)))
      return false;
    return childrenNamed(f, NS.CALDAV, 'comp-filter').every((c) =>
      compMatches(comp.getAllSubcomponents(), c, calendar),
    );
  });
}

function propMatches(comp: ICAL.Component, f: XmlElement, calendar: ICAL.Component): boolean {
  const props = comp.getAllProperties(attr(f, 'name').toLowerCase());
  if (child(f, NS.CALDAV, 'is-not-defined')) return props.length === 0;
  if (props.length === 0) return false;
  return props.some((prop) => {
    const range = child(f, NS.CALDAV, 'time-range');
    if (range) {
      const at = instantOfProperty(prop, calendar)?.ms ?? NaN;
      const { start, end } = bounds(range);
      if (!(at >= start && at < end)) return false;
    }
    const match = child(f, NS.CALDAV, 'text-match');
    if (match && !textMatches(prop.getValues().map(String), match)) return false;
    return childrenNamed(f, NS.CALDAV, 'param-filter').every((p) => paramMatches(prop, p));
  });
}

function paramMatches(prop: ICAL.Property, f: XmlElement): boolean {
  const value = prop.getParameter(attr(f, 'name').toLowerCase());
  if (child(f, NS.CALDAV, 'is-not-defined')) return value === undefined;
  if (value === undefined) return false;
  const match = child(f, NS.CALDAV, 'text-match');
  return !match || textMatches([String(value)], match);
}

function textMatches(values: string[], f: XmlElement): boolean {
  const octet = attr(f, 'collation') === 'i;octet';
  const needle = octet ? f.text : f.text.toLowerCase();
  const found = values.some((v) => (octet ? v : v.toLowerCase()).includes(needle));
  return attr(f, 'negate-condition') === 'yes' ? !found : found;
}

const UTC_DATE_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** A time-range's bounds in ms (RFC 5545 UTC date-times, `20261201T000000Z`; absent or unreadable: unbounded). */
function bounds(range: XmlElement): { start: number; end: number } {
  const at = (value: string, fallback: number) => {
    const m = UTC_DATE_TIME.exec(value.trim());
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : fallback;
  };
  return { start: at(attr(range, 'start'), -Infinity), end: at(attr(range, 'end'), Infinity) };
}

/** RFC 4791 9.9: whether a VTODO overlaps the range (other components: by DTSTART, else always). */
function componentInRange(comp: ICAL.Component, range: XmlElement, calendar: ICAL.Component): boolean {
  const { start, end } = bounds(range);
  const time = (name: string): number | null =>
    instantOfProperty(comp.getFirstProperty(name), calendar)?.ms ?? null;
  const dtstart = time('dtstart');
  if (comp.name !== 'vtodo') return dtstart === null || (start <= dtstart && end > dtstart);
  const due = time('due');
  const completed = time('completed');
  const created = time('created');
  if (dtstart !== null && due !== null)
    return (
      (start <= dtstart && end > dtstart) || (start < due && end >= due) || (start >= dtstart && end <= due)
    );
  if (dtstart !== null) return start <= dtstart && end > dtstart;
  if (due !== null) return start < due && end >= due;
  if (completed !== null && created !== null)
    return (start <= created || start <= completed) && (end >= created || end >= completed);
  if (completed !== null) return start <= completed && end >= completed;
  if (created !== null) return end > created;
  return true;
}
