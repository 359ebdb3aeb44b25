import ICAL from 'ical.js';
import { REMINDER_LIMITS, sameKind, type ReminderKind } from '../reminders/reminder.schema.js';
import { instantOfProperty, parseTodo } from './ical-mapping.js';

/**
 * VALARM ↔ the requesting user's reminders (contract "Native clients (CalDAV)", Mapping; docs/caldav.md,
 * "Alarms"), with ical.js. Reminders are private, so VALARMs are never part of the text a task's
 * resource shares between its readers: a PUT's VALARMs are taken out of it (`takeAlarms`) and become
 * the writer's reminders, and each GET puts the reader's own back in (`withAlarms`).
 *
 * What a TRIGGER maps to (RFC 5545 3.8.6.3):
 * - absolute (`VALUE=DATE-TIME`, UTC): `{ at }`;
 * - a duration `RELATED=END` (for a VTODO: relative to DUE), at or before DUE, in whole minutes,
 *   at most REMINDER_LIMITS.beforeMinutesMax before: `{ before_minutes }`;
 * - a duration relative to START (the default) with DTSTART and DUE: the same, counted from DUE
 *   (DTSTART moves with DUE here, so the alarm keeps its place);
 * - anything else — relative to START without DTSTART (which 3.8.6.3 says MUST be present), after
 *   DUE, to a VTODO without DUE, seconds — is no reminder: it is kept as the client wrote it and
 *   given back to that user only, and fires nowhere but in their client.
 */

/** A VALARM as a client wrote it, and the reminder it is (null: none the API models). */
export interface ClientAlarm {
  text: string;
  kind: ReminderKind | null;
}

/** A reminder as the user has it (one of the two set). */
export interface AlarmReminder {
  before_minutes: number | null;
  at: string | Date | null;
}

const MINUTE_MS = 60_000;

/** The reminder VALARM `alarm` of VTODO `todo` is, or null (see the module's comment). */
export function kindOf(
  alarm: ICAL.Component,
  todo: ICAL.Component,
  calendar: ICAL.Component,
): ReminderKind | null {
  const trigger = alarm.getFirstProperty('trigger');
  const value = trigger?.getFirstValue();
  if (!trigger || !value) return null;
  if (value instanceof ICAL.Time) {
    const at = instantOfProperty(trigger, calendar);
    return at ? { at: new Date(at.ms) } : null;
  }
  if (!(value instanceof ICAL.Duration)) return null;
  const due = instantOfProperty(todo.getFirstProperty('due'), calendar);
  const related = String(trigger.getParameter('related') ?? 'START').toUpperCase();
  const from = related === 'END' ? due : instantOfProperty(todo.getFirstProperty('dtstart'), calendar);
  if (!due || !from) return null;
  const minutes = (due.ms - (from.ms + value.toSeconds() * 1000)) / MINUTE_MS;
  return Number.isInteger(minutes) && minutes >= 0 && minutes <= REMINDER_LIMITS.beforeMinutesMax
    ? { before_minutes: minutes }
    : null;
}

/** Takes the VALARMs out of `todo` (the master VTODO of `calendar`): what they were, in the client's order. */
export function takeAlarms(todo: ICAL.Component, calendar: ICAL.Component): ClientAlarm[] {
  return todo.getAllSubcomponents('valarm').map((alarm) => {
    const taken = { text: alarm.toString(), kind: kindOf(alarm, todo, calendar) };
    todo.removeSubcomponent(alarm);
    return taken;
  });
}

/**
 * `ics` (a resource's shared text) as user `reminders`' owner sees it: any VALARM in it replaced by
 * theirs. `kept`: the VALARMs their client last wrote. Each one that is a reminder they still have
 * comes back as written (and stands for that reminder); each one that is no reminder comes back
 * as written; one whose reminder is gone (deleted through REST) does not. Every other reminder is a
 * new VALARM: ACTION:DISPLAY, the title as DESCRIPTION.
 */
export function withAlarms(ics: string, reminders: AlarmReminder[], kept: string[] | null): string {
  const { calendar, todo } = parseTodo(ics);
  for (const alarm of todo.getAllSubcomponents('valarm')) todo.removeSubcomponent(alarm);
  const left = [...reminders];
  for (const text of kept ?? []) {
    const alarm = new ICAL.Component(ICAL.parse(text) as unknown[]);
    const kind = kindOf(alarm, todo, calendar);
    if (kind) {
      const i = left.findIndex((r) => sameKind(r, kind));
      if (i < 0) continue;
      left.splice(i, 1);
    }
    todo.addSubcomponent(alarm);
  }
  const title = String(todo.getFirstPropertyValue('summary') ?? '');
  for (const reminder of left) todo.addSubcomponent(newAlarm(reminder, title));
  return calendar.toString();
}

function newAlarm(reminder: AlarmReminder, title: string): ICAL.Component {
  const alarm = new ICAL.Component('valarm');
  alarm.addPropertyWithValue('action', 'DISPLAY');
  if (reminder.before_minutes !== null) {
    const trigger = alarm.addPropertyWithValue(
      'trigger',
      ICAL.Duration.fromSeconds((-reminder.before_minutes * MINUTE_MS) / 1000),
    );
    trigger.setParameter('related', 'END');
  } else {
    const trigger = new ICAL.Property('trigger');
    trigger.resetType('date-time');
    trigger.setValue(ICAL.Time.fromJSDate(new Date(reminder.at!), true));
    alarm.addProperty(trigger);
  }
  alarm.addPropertyWithValue('description', title);
  return alarm;
}
