import ICAL from 'ical.js';
import { canonicalZone, isTimeZone, normalizeRule } from '../recurrence/recurrence.js';
import { instantOf, wallAt } from '../recurrence/zone.js';
import type { Task } from '../tasks/dto/task.dto.js';
import { LIMITS, type Priority } from '../tasks/task.schema.js';
import { SORT_ORDER_PROPERTY, sortOrderLine, sortOrderOf } from './sort-order.js';

/**
 * A task as an iCalendar VTODO and back (contract "Native clients (CalDAV)", Mapping), with ical.js:
 * nothing here writes iCalendar text by hand.
 *
 * `fieldsOf` reads what a VTODO says of the fields the API models, deterministically and without
 * failing on what the API cannot hold (a title too long is cut, categories beyond ten dropped): the
 * client's own text stays in the stored VCALENDAR. `render` writes a task into a VCALENDAR: a
 * property group is rewritten only when the task's value differs from what `fieldsOf` reads of it
 * there, so everything a client wrote that still says the same (its spelling, its X- properties,
 * its PRIORITY 2 for "high") comes back as it wrote it. VALARMs are each reader's own: ical-alarms.ts.
 */
export const PRODID = '-//tasks-api//CalDAV//EN';
/** The title of a VTODO without a SUMMARY (the API requires one). */
export const UNTITLED = 'Untitled';
/** A date without a time (an all-day due date) is this hour of that day in UTC: the same day nearly everywhere. */
const ALL_DAY_HOUR_UTC = 12;

/** What a VTODO says of a task's modelled fields. */
export interface TodoFields {
  title: string;
  description: string | null;
  completed: boolean;
  priority: Priority;
  /** ISO 8601 in UTC with milliseconds (as the API returns it), or null. */
  due_date: string | null;
  time_zone: string | null;
  tags: string[];
  /** The RRULE as written (not yet checked against what the API supports), or null. */
  rule: string | null;
  /** The UID its RELATED-TO (RELTYPE=PARENT) names, or null. */
  parent_uid: string | null;
}

/** A body that is not an iCalendar object with one VTODO (RFC 4791 5.3.2: valid-calendar-object-resource). */
export class InvalidCalendarError extends Error {
  constructor(
    message: string,
    /** The CalDAV precondition it breaks (an element of the CalDAV namespace). */
    readonly precondition = 'valid-calendar-data',
  ) {
    super(message);
  }
}

/** A parsed VCALENDAR and its one VTODO (the master: the one without a RECURRENCE-ID). */
export interface Todo {
  calendar: ICAL.Component;
  todo: ICAL.Component;
  uid: string;
}

/** Parses a client's iCalendar text: one VCALENDAR, its VTODOs all of one UID, a master among them. */
export function parseTodo(text: string): Todo {
  let calendar: ICAL.Component;
  try {
    calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (err) {
    throw new InvalidCalendarError(`not iCalendar: ${(err as Error).message}`);
  }
  if (calendar.name !== 'vcalendar') throw new InvalidCalendarError('not a VCALENDAR');
  const others = calendar.getAllSubcomponents().filter((c) => !['vtodo', 'vtimezone'].includes(c.name));
  if (others.length)
    throw new InvalidCalendarError(
      `only VTODO is supported here, not ${others[0].name.toUpperCase()}`,
      'supported-calendar-component',
    );
  const todos = calendar.getAllSubcomponents('vtodo');
  const uids = new Set(todos.map((t) => t.getFirstPropertyValue('uid')));
  const master = todos.find((t) => !t.hasProperty('recurrence-id'));
  if (!master || uids.size !== 1)
    throw new InvalidCalendarError('a calendar object holds exactly one VTODO (one UID)');
  const uid = String(master.getFirstPropertyValue('uid') ?? '');
  if (!uid || uid.length > 255)
    throw new InvalidCalendarError('the VTODO needs a UID of at most 255 characters');
  return { calendar, todo: master, uid };
}

/** A property value as text (ical.js gives numbers for some, objects for none of those read here). */
const text = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
const clean = (value: string): string => value.replaceAll('\u0000', '');

/** A task's priority for PRIORITY: 1–4 high, 5 medium, 6–9 and 0 (or none) low. */
export function priorityOf(value: unknown): Priority {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > 9) return 'low';
  return n <= 4 ? 'high' : n === 5 ? 'medium' : 'low';
}
const PRIORITY_VALUE: Record<Priority, number> = { high: 1, medium: 5, low: 9 };

/** Tags from CATEGORIES as the API keeps them: trimmed, lower-cased, 1–32 characters, no repeats, ten at most. */
function tagsOf(todo: ICAL.Component): string[] {
  const tags = new Set<string>();
  for (const prop of todo.getAllProperties('categories'))
    for (const value of prop.getValues())
      for (const tag of text(value).split(',')) {
        const t = clean(tag).trim().toLowerCase().slice(0, LIMITS.tag).trim();
        if (t) tags.add(t);
      }
  return [...tags].slice(0, LIMITS.tags);
}

/** The time zone of TZID `tzid`: its IANA name, or the one its VTIMEZONE names (X-LIC-LOCATION), or null. */
function zoneOf(tzid: string, calendar: ICAL.Component): string | null {
  if (isTimeZone(tzid)) return canonicalZone(tzid);
  const location = calendar
    .getAllSubcomponents('vtimezone')
    .find((z) => z.getFirstPropertyValue('tzid') === tzid)
    ?.getFirstPropertyValue('x-lic-location');
  if (typeof location === 'string' && isTimeZone(location)) return canonicalZone(location);
  const tail = /([A-Za-z_]+\/[A-Za-z_+-]+(?:\/[A-Za-z_+-]+)?)$/.exec(tzid)?.[1];
  return tail && isTimeZone(tail) ? canonicalZone(tail) : null;
}

/** The floating wall-clock milliseconds of an ICAL.Time's fields. */
const wallOf = (t: ICAL.Time): number => Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);

/**
 * A DATE or DATE-TIME property as an instant (ms) and a zone: a TZID in an IANA zone (or one its
 * VTIMEZONE names), UTC, a VTIMEZONE ical.js converts, or floating (read as UTC); a date alone is
 * ALL_DAY_HOUR_UTC that day. Null when it is not a time.
 */
export function instantOfProperty(
  prop: ICAL.Property | null | undefined,
  calendar: ICAL.Component,
): { ms: number; zone: string | null } | null {
  const value = prop?.getFirstValue();
  if (!prop || !(value instanceof ICAL.Time)) return null;
  if (value.isDate)
    return { ms: Date.UTC(value.year, value.month - 1, value.day, ALL_DAY_HOUR_UTC), zone: null };
  const tzid = prop.getParameter('tzid');
  if (typeof tzid === 'string' && tzid !== '') {
    const zone = zoneOf(tzid, calendar);
    if (zone) return { ms: instantOf(wallOf(value), zone), zone };
    const vtimezone = calendar
      .getAllSubcomponents('vtimezone')
      .find((z) => z.getFirstPropertyValue('tzid') === tzid);
    if (vtimezone) {
      const t = value.clone();
      t.zone = new ICAL.Timezone(vtimezone);
      return { ms: t.toUnixTime() * 1000, zone: null };
    }
  }
  return { ms: wallOf(value), zone: null };
}

/** DUE as the API holds it: `due_date` (ISO, UTC) and `time_zone`. */
function dueOf(todo: ICAL.Component, calendar: ICAL.Component): { due: string | null; zone: string | null } {
  const at = instantOfProperty(todo.getFirstProperty('due'), calendar);
  return at ? { due: new Date(at.ms).toISOString(), zone: at.zone } : { due: null, zone: null };
}

/** Whether RELATED-TO `prop` names a parent (RELTYPE=PARENT, the default). */
const isParentLink = (prop: ICAL.Property): boolean => {
  const type = prop.getParameter('reltype');
  return type === undefined || text(type).toUpperCase() === 'PARENT';
};

/** Whether VTODO `todo` says it is done: STATUS:COMPLETED, or a COMPLETED without a STATUS. */
function isDone(todo: ICAL.Component): boolean {
  const status = text(todo.getFirstPropertyValue('status')).toUpperCase();
  return status ? status === 'COMPLETED' : todo.hasProperty('completed');
}

/**
 * Whether a repeating VTODO's current occurrence (its DUE) is completed the way Thunderbird writes it:
 * an override of that occurrence (RECURRENCE-ID = DUE) marked done, beside the master.
 */
function occurrenceDone(calendar: ICAL.Component, master: ICAL.Component): boolean {
  if (!master.hasProperty('rrule')) return false;
  const due = instantOfProperty(master.getFirstProperty('due'), calendar);
  if (!due) return false;
  return calendar
    .getAllSubcomponents('vtodo')
    .some(
      (o) =>
        o !== master &&
        instantOfProperty(o.getFirstProperty('recurrence-id'), calendar)?.ms === due.ms &&
        isDone(o),
    );
}

/** What `todo` says of the fields the API models (see the module's comment). */
export function fieldsOf({ calendar, todo }: Pick<Todo, 'calendar' | 'todo'>): TodoFields {
  const title = clean(text(todo.getFirstPropertyValue('summary')))
    .trim()
    .slice(0, LIMITS.title)
    .trim();
  const description = clean(text(todo.getFirstPropertyValue('description'))).slice(0, LIMITS.description);
  const { due, zone } = dueOf(todo, calendar);
  const rrule = todo.getFirstPropertyValue('rrule');
  const parent = todo.getAllProperties('related-to').find(isParentLink)?.getFirstValue();
  return {
    title: title || UNTITLED,
    description: description === '' ? null : description,
    completed: isDone(todo) || occurrenceDone(calendar, todo),
    priority: priorityOf(todo.getFirstPropertyValue('priority')),
    due_date: due,
    time_zone: zone,
    tags: tagsOf(todo),
    rule: rrule ? rrule.toString() : null,
    parent_uid: parent ? text(parent) : null,
  };
}

/** A rule as the API stores it, or null when it is none the API accepts (then it never equals one). */
export function ruleOrNull(rule: string | null): string | null {
  if (rule === null) return null;
  try {
    return normalizeRule(rule);
  } catch {
    return null;
  }
}

const sameTags = (a: string[], b: string[]) => a.length === b.length && a.every((t, i) => t === b[i]);
const utc = (iso: string): ICAL.Time => ICAL.Time.fromJSDate(new Date(iso), true);

/** Sets property `name` to `value` (removing it when null), keeping none of its old parameters. */
function put(
  todo: ICAL.Component,
  name: string,
  value: string | number | ICAL.Time | ICAL.Recur | null,
): void {
  todo.removeAllProperties(name);
  if (value !== null) todo.addPropertyWithValue(name, value);
}

/** What `render` needs besides the task: its UID and its parent's; its X-APPLE-SORT-ORDER comes from its `position`. */
export interface RenderContext {
  uid: string;
  parentUid: string | null;
  /** The version the stored VCALENDAR was rendered at (its timestamps are current when it is the task's). */
  storedVersion: number | null;
}

/**
 * The task as a VCALENDAR (see the module's comment): `stored` (what a client last wrote, as rendered
 * then) with every property group that no longer says what the task says rewritten, or a new one.
 */
export function render(task: Task, stored: string | null, ctx: RenderContext): string {
  const base = stored === null ? null : parseTodo(stored);
  const calendar = base?.calendar ?? newCalendar();
  let todo = base?.todo;
  if (!todo) {
    todo = new ICAL.Component('vtodo');
    calendar.addSubcomponent(todo);
  }
  const was = base ? fieldsOf(base) : null;
  if (!base) put(todo, 'uid', ctx.uid);
  if (!was || was.title !== task.title) put(todo, 'summary', task.title);
  if (!was || was.description !== task.description) put(todo, 'description', task.description);
  if (!was || was.completed !== task.completed) {
    put(todo, 'status', task.completed ? 'COMPLETED' : 'NEEDS-ACTION');
    put(todo, 'completed', task.completed ? utc(task.last_completed_at ?? task.updated_at) : null);
    put(todo, 'percent-complete', task.completed ? 100 : null);
  }
  if (!was || was.priority !== task.priority) put(todo, 'priority', PRIORITY_VALUE[task.priority]);
  if (!was || was.due_date !== task.due_date || was.time_zone !== task.time_zone) {
    moveStart(todo, calendar, was?.due_date ?? null, task);
    writeDue(todo, task);
  }
  if (!was || !sameTags(was.tags, task.tags)) {
    todo.removeAllProperties('categories');
    if (task.tags.length) {
      const prop = new ICAL.Property('categories');
      prop.setValues(task.tags);
      todo.addProperty(prop);
    }
  }
  const rule = task.recurrence?.rule ?? null;
  if (!was || ruleOrNull(was.rule) !== rule)
    put(todo, 'rrule', rule === null ? null : ICAL.Recur.fromString(rule));
  // Ours, from the position (sort-order.ts): a client's own value or spelling of it is not kept.
  const order = sortOrderOf(task.position);
  const orders = todo.getAllProperties(SORT_ORDER_PROPERTY);
  if (orders.length !== 1 || orders[0].toICALString() !== sortOrderLine(order).trim())
    put(todo, SORT_ORDER_PROPERTY, String(order));
  if (!was || was.parent_uid !== ctx.parentUid) {
    for (const prop of todo.getAllProperties('related-to')) if (isParentLink(prop)) todo.removeProperty(prop);
    if (ctx.parentUid !== null) todo.addPropertyWithValue('related-to', ctx.parentUid);
  }
  // Changed since it was stored (or never stored): the server's timestamps; else the client's own.
  const changed = !base || ctx.storedVersion !== task.version;
  if (changed || !todo.hasProperty('dtstamp')) put(todo, 'dtstamp', utc(task.updated_at));
  if (changed) put(todo, 'last-modified', utc(task.updated_at));
  if (!base) put(todo, 'created', utc(task.created_at));
  return calendar.toString();
}

function newCalendar(): ICAL.Component {
  const calendar = new ICAL.Component('vcalendar');
  calendar.addPropertyWithValue('version', '2.0');
  calendar.addPropertyWithValue('prodid', PRODID);
  return calendar;
}

/** DUE from `due_date` and `time_zone` (wall-clock time with TZID in a zone, UTC otherwise). */
function writeDue(todo: ICAL.Component, task: Task): void {
  todo.removeAllProperties('due');
  if (task.due_date !== null) addTime(todo, 'due', Date.parse(task.due_date), task.time_zone);
}

/** Property `name` at instant `ms`: wall-clock time with TZID in `zone`, UTC without one. */
function addTime(todo: ICAL.Component, name: string, ms: number, zone: string | null): void {
  if (zone === null) {
    todo.addPropertyWithValue(name, ICAL.Time.fromJSDate(new Date(ms), true));
    return;
  }
  const wall = new Date(wallAt(ms, zone));
  const time = ICAL.Time.fromData({
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  });
  todo.addPropertyWithValue(name, time).setParameter('tzid', zone);
}

/**
 * A client's DTSTART moves with DUE (by as much: a series advanced, a date changed through the API),
 * so the two stay in order and a client that expands RRULE from DTSTART sees the same occurrences;
 * without a DUE before, a DTSTART after the new DUE goes.
 */
function moveStart(todo: ICAL.Component, calendar: ICAL.Component, oldDue: string | null, task: Task): void {
  const start = instantOfProperty(todo.getFirstProperty('dtstart'), calendar);
  if (!start) return;
  const newDue = task.due_date === null ? null : Date.parse(task.due_date);
  const moved = oldDue !== null && newDue !== null ? start.ms + newDue - Date.parse(oldDue) : start.ms;
  if (oldDue === null && newDue !== null && moved <= newDue) return;
  todo.removeAllProperties('dtstart');
  if (newDue !== null && moved <= newDue) addTime(todo, 'dtstart', moved, start.zone ?? task.time_zone);
}
