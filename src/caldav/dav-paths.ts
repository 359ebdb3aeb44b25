import { isUuid } from '../common/uuid.js';

/**
 * Where things are under `/dav` (docs/caldav.md). The signed-in user decides what each path shows,
 * so no user id is part of a path: `/dav/principal/` is the caller, `/dav/calendars/` their calendar
 * home, `/dav/calendars/{list_id}/` one list they are a member of, and `…/{list_id}/{name}` a task
 * in it (`{task id}.ics`, or the name its client gave it).
 */
export const DAV_ROOT = '/dav/';
export const PRINCIPAL = '/dav/principal/';
export const CALENDAR_HOME = '/dav/calendars/';

/** Nest route paths of every `/dav` request (path-to-regexp 8: `/dav`, `/dav/` and below). */
export const DAV_ROUTES = ['dav', 'dav/{*path}'];
/** RFC 6764: clients look for the CalDAV service here first. */
export const WELL_KNOWN_CALDAV = '.well-known/caldav';

/** The most characters of a resource's name (the column's length). */
export const MAX_NAME_LENGTH = 255;

/** What a `/dav` path names. */
export type DavTarget =
  | { kind: 'root' }
  | { kind: 'principal' }
  | { kind: 'home' }
  | { kind: 'calendar'; list: string }
  | { kind: 'resource'; list: string; name: string };

export const calendarHref = (list: string): string => `${CALENDAR_HOME}${list}/`;
export const resourceHref = (list: string, name: string): string =>
  `${calendarHref(list)}${encodeURIComponent(name)}`;
export const defaultName = (taskId: string): string => `${taskId}.ics`;

/**
 * What `path` (a request's path, or an href from a request body: absolute URL or path, percent-encoded)
 * names, or null when nothing is there. Segments are decoded; a list id must be a UUID.
 */
export function davTarget(path: string): DavTarget | null {
  let pathname = path;
  try {
    if (/^[a-z][a-z0-9+.-]*:/i.test(path)) pathname = new URL(path).pathname;
  } catch {
    return null;
  }
  const raw = pathname
    .split('?')[0]
    .split('/')
    .filter((s) => s !== '');
  let segments: string[];
  try {
    segments = raw.map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
  if (segments[0] !== 'dav') return null;
  const [, area, list, name, ...rest] = segments;
  if (rest.length) return null;
  if (area === undefined) return { kind: 'root' };
  if (area === 'principal') return list === undefined ? { kind: 'principal' } : null;
  if (area !== 'calendars') return null;
  if (list === undefined) return { kind: 'home' };
  if (!isUuid(list)) return null;
  if (name === undefined) return { kind: 'calendar', list: list.toLowerCase() };
  if (name.length > MAX_NAME_LENGTH || name.includes('\u0000')) return null;
  return { kind: 'resource', list: list.toLowerCase(), name };
}
