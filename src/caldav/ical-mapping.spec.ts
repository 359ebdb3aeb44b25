import type { Task } from '../tasks/dto/task.dto.js';
import { ifMatchEtags, davEtag, versionsAt } from './dav-etag.js';
import { kindOf, takeAlarms, withAlarms } from './ical-alarms.js';
import { fieldsOf, InvalidCalendarError, parseTodo, priorityOf, render, UNTITLED } from './ical-mapping.js';
import { sortOrderOf } from './sort-order.js';

const vtodo = (...lines: string[]) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//spec//EN',
    'BEGIN:VTODO',
    'UID:u1',
    'DTSTAMP:20261206T120000Z',
    ...lines,
    'END:VTODO',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

const task = (over: Partial<Task> = {}): Task => ({
  id: '3f8e2c1a-5b7d-4e9f-a1c2-0d3b4e5f6a7b',
  user_id: 'alice',
  title: 'Buy milk',
  description: null,
  completed: false,
  priority: 'medium',
  due_date: null,
  tags: [],
  created_at: '2026-12-01T10:00:00.000Z',
  updated_at: '2026-12-02T10:00:00.000Z',
  version: 1,
  parent_id: null,
  position: 'a0',
  time_zone: null,
  recurrence: null,
  last_completed_at: null,
  list_id: '7c1e4a52-0b8d-4f3e-9a61-2d5c8e9f0a1b',
  assignee_id: null,
  ...over,
});

describe('fieldsOf', () => {
  it('reads the modelled fields, lossy where the API holds less', () => {
    const fields = fieldsOf(
      parseTodo(
        vtodo(
          `SUMMARY:  ${'t'.repeat(250)}`,
          'DESCRIPTION:notes',
          'STATUS:COMPLETED',
          'PRIORITY:3',
          'CATEGORIES:Home, Errand,home',
          'CATEGORIES:X',
          'DUE;TZID=Europe/Berlin:20261210T090000',
          'RRULE:FREQ=WEEKLY;BYDAY=MO',
          'RELATED-TO;RELTYPE=PARENT:parent-1',
        ),
      ),
    );
    expect(fields).toEqual({
      title: 't'.repeat(200),
      description: 'notes',
      completed: true,
      priority: 'high',
      due_date: '2026-12-10T08:00:00.000Z',
      time_zone: 'Europe/Berlin',
      tags: ['home', 'errand', 'x'],
      rule: 'FREQ=WEEKLY;BYDAY=MO',
      parent_uid: 'parent-1',
    });
  });

  it('has defaults for what is missing: untitled, low priority, not completed', () => {
    expect(fieldsOf(parseTodo(vtodo()))).toEqual(
      expect.objectContaining({
        title: UNTITLED,
        priority: 'low',
        completed: false,
        due_date: null,
        tags: [],
      }),
    );
    expect(fieldsOf(parseTodo(vtodo('COMPLETED:20261206T120000Z'))).completed).toBe(true);
    expect(fieldsOf(parseTodo(vtodo('DUE;VALUE=DATE:20261205'))).due_date).toBe('2026-12-05T12:00:00.000Z');
    expect(fieldsOf(parseTodo(vtodo('DUE:20261205T080000Z'))).time_zone).toBeNull();
    expect(fieldsOf(parseTodo(vtodo('RELATED-TO;RELTYPE=SIBLING:s'))).parent_uid).toBeNull();
  });

  it('maps PRIORITY as the contract says', () => {
    expect([0, 1, 4, 5, 6, 9, undefined, 'x'].map(priorityOf)).toEqual([
      'low',
      'high',
      'high',
      'medium',
      'low',
      'low',
      'low',
      'low',
    ]);
  });
});

describe('parseTodo', () => {
  it('refuses what is not one VTODO', () => {
    expect(() => parseTodo('nope')).toThrow(InvalidCalendarError);
    const event = vtodo().replace('BEGIN:VTODO', 'BEGIN:VEVENT').replace('END:VTODO', 'END:VEVENT');
    expect(() => parseTodo(event)).toThrow(
      expect.objectContaining({ precondition: 'supported-calendar-component' }),
    );
    const two = vtodo().replace('END:VCALENDAR', 'BEGIN:VTODO\r\nUID:u2\r\nEND:VTODO\r\nEND:VCALENDAR');
    expect(() => parseTodo(two)).toThrow(InvalidCalendarError);
  });
});

describe('render', () => {
  it('writes X-APPLE-SORT-ORDER from the position, in place of a client’s own value or spelling', () => {
    const ours = `X-APPLE-SORT-ORDER:${sortOrderOf('a1V')}\r\n`;
    const at = (stored: string | null) =>
      render(task({ position: 'a1V' }), stored, { uid: 'u1', parentUid: null, storedVersion: 1 });
    expect(at(null)).toContain(ours);
    for (const line of ['X-APPLE-SORT-ORDER:545683380', `X-APPLE-SORT-ORDER;X-A=1:${sortOrderOf('a1V')}`]) {
      const ics = at(vtodo('SUMMARY:Buy milk', line));
      expect(ics).toContain(ours);
      expect(ics.match(/X-APPLE-SORT-ORDER/g)).toHaveLength(1);
    }
    const same = vtodo('SUMMARY:Buy milk', 'PRIORITY:5', ours.trim());
    expect(at(same)).toBe(parseTodo(same).calendar.toString());
  });

  it('writes a new VTODO from a task, and reads back the same fields', () => {
    const t = task({
      description: 'notes',
      priority: 'high',
      due_date: '2026-12-10T08:00:00.000Z',
      time_zone: 'Europe/Berlin',
      tags: ['home'],
      recurrence: { rule: 'FREQ=DAILY', from: 'due' },
    });
    const ics = render(t, null, { uid: t.id, parentUid: 'p', storedVersion: null });
    expect(ics).toContain(`UID:${t.id}`);
    expect(ics).toContain('DUE;TZID=Europe/Berlin:20261210T090000');
    expect(fieldsOf(parseTodo(ics))).toEqual({
      title: 'Buy milk',
      description: 'notes',
      completed: false,
      priority: 'high',
      due_date: '2026-12-10T08:00:00.000Z',
      time_zone: 'Europe/Berlin',
      tags: ['home'],
      rule: 'FREQ=DAILY',
      parent_uid: 'p',
    });
  });

  it('moves a client’s DTSTART with DUE, so a series advanced by the server stays in order', () => {
    const stored = vtodo(
      'SUMMARY:Buy milk',
      'DTSTART:20261210T070000Z',
      'DUE:20261210T080000Z',
      'RRULE:FREQ=DAILY',
    );
    const advanced = task({
      due_date: '2026-12-11T08:00:00.000Z',
      recurrence: { rule: 'FREQ=DAILY', from: 'due' },
      priority: 'low',
      version: 2,
    });
    const ics = render(advanced, stored, { uid: 'u1', parentUid: null, storedVersion: 1 });
    expect(ics).toContain('DTSTART:20261211T070000Z');
    expect(ics).toContain('DUE:20261211T080000Z');
    const earlier = render(
      task({ due_date: '2026-12-01T08:00:00.000Z', priority: 'low', version: 2 }),
      vtodo('DTSTART:20261210T070000Z'),
      {
        uid: 'u1',
        parentUid: null,
        storedVersion: 1,
      },
    );
    expect(earlier).not.toContain('DTSTART');
  });

  it('keeps what the client wrote while it says what the task says, and rewrites only what changed', () => {
    const stored = vtodo(
      'SUMMARY:Buy milk',
      'PRIORITY:2',
      'CATEGORIES:Home',
      'X-MINE;X-A=1:kept',
      `X-APPLE-SORT-ORDER:${sortOrderOf('a0')}`,
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'TRIGGER:-PT15M',
      'END:VALARM',
    );
    const same = render(task({ priority: 'high', tags: ['home'] }), stored, {
      uid: 'u1',
      parentUid: null,
      storedVersion: 1,
    });
    expect(same).toBe(parseTodo(stored).calendar.toString());
    const changed = render(
      task({ title: 'Buy oat milk', priority: 'high', tags: ['home'], completed: true, version: 2 }),
      stored,
      {
        uid: 'u1',
        parentUid: null,
        storedVersion: 1,
      },
    );
    expect(changed).toContain('SUMMARY:Buy oat milk');
    expect(changed).toContain('STATUS:COMPLETED');
    expect(changed).toContain('PRIORITY:2');
    expect(changed).toContain('CATEGORIES:Home');
    expect(changed).toContain('X-MINE;X-A=1:kept');
    expect(changed).toContain('TRIGGER:-PT15M');
    expect(changed).toContain('LAST-MODIFIED:20261202T100000Z');
  });
});

const withTrigger = (todoLines: string[], trigger: string) =>
  vtodo('SUMMARY:Water plants', ...todoLines, 'BEGIN:VALARM', 'ACTION:DISPLAY', trigger, 'END:VALARM');
const kind = (todoLines: string[], trigger: string) => {
  const { calendar, todo } = parseTodo(withTrigger(todoLines, trigger));
  return kindOf(todo.getFirstSubcomponent('valarm')!, todo, calendar);
};
const DUE = 'DUE:20301210T090000Z';

describe('kindOf (RFC 5545 3.8.6.3)', () => {
  it('maps RELATED=END durations at or before DUE to before_minutes', () => {
    expect(kind([DUE], 'TRIGGER;RELATED=END:-PT15M')).toEqual({ before_minutes: 15 });
    expect(kind([DUE], 'TRIGGER;RELATED=END:PT0S')).toEqual({ before_minutes: 0 });
    expect(kind([DUE], 'TRIGGER;RELATED=END:-P28D')).toEqual({ before_minutes: 40_320 });
  });

  it('maps absolute triggers to at', () => {
    expect(kind([], 'TRIGGER;VALUE=DATE-TIME:20301209T180000Z')).toEqual({
      at: new Date('2030-12-09T18:00:00Z'),
    });
  });

  it('counts a START-relative trigger from DUE when DTSTART is there', () => {
    expect(kind(['DTSTART:20301210T080000Z', DUE], 'TRIGGER:-PT30M')).toEqual({ before_minutes: 90 });
  });

  it('maps nothing it cannot hold: START without DTSTART, after DUE, no DUE, seconds, beyond 28 days', () => {
    expect(kind([DUE], 'TRIGGER:-PT15M')).toBeNull();
    expect(kind([DUE], 'TRIGGER;RELATED=END:PT5M')).toBeNull();
    expect(kind([], 'TRIGGER;RELATED=END:-PT5M')).toBeNull();
    expect(kind([DUE], 'TRIGGER;RELATED=END:-PT30S')).toBeNull();
    expect(kind([DUE], 'TRIGGER;RELATED=END:-P29D')).toBeNull();
  });
});

describe('takeAlarms and withAlarms', () => {
  it('takes the VALARMs out, and puts back the kept ones whose reminder is still there plus new ones', () => {
    const { calendar, todo } = parseTodo(
      vtodo(
        'SUMMARY:Water plants',
        DUE,
        ...['BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER;RELATED=END:-PT15M', 'X-KEEP:1', 'END:VALARM'],
        ...['BEGIN:VALARM', 'ACTION:AUDIO', 'TRIGGER:PT1H', 'END:VALARM'],
      ),
    );
    const taken = takeAlarms(todo, calendar);
    expect(taken.map((a) => a.kind)).toEqual([{ before_minutes: 15 }, null]);
    const shared = calendar.toString();
    expect(shared).not.toContain('VALARM');
    const kept = taken.map((a) => a.text);
    expect(withAlarms(shared, [{ before_minutes: 15, at: null }], kept)).toContain('X-KEEP:1');
    const changed = withAlarms(shared, [{ before_minutes: null, at: '2030-12-09T18:00:00.000Z' }], kept);
    expect(changed).not.toContain('X-KEEP:1');
    expect(changed).toContain('TRIGGER:PT1H');
    expect(changed).toContain('TRIGGER;VALUE=DATE-TIME:20301209T180000Z\r\nDESCRIPTION:Water plants');
  });
});

describe('davEtag', () => {
  it('is the version, with the reader’s reminder change once there is one; If-Match matches on both parts', () => {
    expect(davEtag(3, null)).toBe('"3"');
    expect(davEtag(3, '1042')).toBe('"3-1042"');
    const tags = ifMatchEtags('"3-1042", W/"4", "5"')!;
    expect(versionsAt(tags, '1042')).toEqual([3]);
    expect(versionsAt(tags, null)).toEqual([5]);
    expect(ifMatchEtags('*')).toBeUndefined();
    expect(() => ifMatchEtags('nonsense')).toThrow();
  });
});

describe('fieldsOf: a completed occurrence as Thunderbird writes it', () => {
  const master = ['SUMMARY:Daily', 'RRULE:FREQ=DAILY', 'DUE:20261210T090000Z'];
  const withOverride = (recurrenceId: string, status: string) =>
    vtodo(...master).replace(
      'END:VCALENDAR',
      [
        'BEGIN:VTODO',
        'UID:u1',
        `RECURRENCE-ID:${recurrenceId}`,
        `STATUS:${status}`,
        'END:VTODO',
        'END:VCALENDAR',
      ].join('\r\n'),
    );

  it('is a completion when the override of the current occurrence (RECURRENCE-ID = DUE) is done', () => {
    expect(fieldsOf(parseTodo(withOverride('20261210T090000Z', 'COMPLETED'))).completed).toBe(true);
  });

  it('is none for another occurrence, an undone override, or no RRULE', () => {
    expect(fieldsOf(parseTodo(withOverride('20261209T090000Z', 'COMPLETED'))).completed).toBe(false);
    expect(fieldsOf(parseTodo(withOverride('20261210T090000Z', 'NEEDS-ACTION'))).completed).toBe(false);
    const once = withOverride('20261210T090000Z', 'COMPLETED').replace('RRULE:FREQ=DAILY\r\n', '');
    expect(fieldsOf(parseTodo(once)).completed).toBe(false);
  });
});
