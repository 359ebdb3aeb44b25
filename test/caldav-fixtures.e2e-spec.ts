import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ListDto } from '../src/lists/dto/list.dto.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { child, childrenNamed, NS, parseXml, type XmlElement } from '../src/caldav/dav-xml.js';
import { as, useTestApp } from './helpers/app.js';
import { appPassword, davClient } from './helpers/dav.js';
import { newUser } from './helpers/tokens.js';

/**
 * What Apple Reminders, Thunderbird and tasks.org (through DAVx⁵'s libraries) really send, replayed
 * against /dav (issue #32, item 3). Every fixture names its source next to it; test/fixtures/caldav/
 * README.md lists them with their licences. "Recorded": a client's output as published (a
 * repository's test data). "Constructed": built by us from a client's source code (what it writes
 * or asks for, in its order), said so in the file name (`.constructed.`). Files are stored with LF
 * line ends, as their sources store them; they are sent with CRLF, as iCalendar is on the wire.
 * Not covered, for want of a citable source: Apple's discovery, subtask and repeating completion
 * (apple/ccs-calendarserver is not to be copied), Thunderbird's discovery and subtasks.
 */

const t = useTestApp();
const FIXTURES = join(import.meta.dirname, 'fixtures', 'caldav');
const fixture = (path: string) => readFileSync(join(FIXTURES, path), 'utf8').replace(/\r?\n/g, '\r\n');

type Reminder = { before_minutes?: number; at?: string };

async function signedIn() {
  const user = newUser();
  const password = await appPassword(t.app, user);
  const api = as(t.app, user);
  const list = (await api.post('/api/lists').send({ name: 'Replayed' }).expect(201)).body as ListDto;
  return { api, dav: davClient(t.app, user, password), list };
}

/** The one task of the list with `title`, and the caller's reminders on it. */
async function restState(api: ReturnType<typeof as>, list: string, title: string) {
  const tasks = (await api.get(`/api/tasks?list_id=${list}`).expect(200)).body as Task[];
  const task = tasks.find((x) => x.title === title);
  expect(task).toBeDefined();
  const reminders = (await api.get(`/api/tasks/${task!.id}/reminders`).expect(200)).body as Reminder[];
  return { task: task!, reminders };
}

const valarms = (ics: string) => ics.match(/BEGIN:VALARM[\s\S]*?END:VALARM/g) ?? [];

describe('Apple Reminders', () => {
  // Recorded: tasks/tasks app/src/test/resources/apple/date_time_reminder.txt (iOS 12.1; GPL-3.0).
  it('a new task with a date-time alarm: the task, its zone and an absolute reminder', async () => {
    const { api, dav, list } = await signedIn();
    const path = `/dav/calendars/${list.id}/A11D558C-3BC3-45FE-B95E-8B1F0023CB17.ics`;
    await dav
      .put(path, fixture('apple-reminders/date_time_reminder.ics'), { 'If-None-Match': '*' })
      .expect(201);
    const { task, reminders } = await restState(api, list.id, 'Test');
    expect(task).toEqual(
      expect.objectContaining({
        due_date: '2022-01-19T05:00:00.000Z',
        time_zone: 'America/Chicago',
        completed: false,
      }),
    );
    expect(reminders).toEqual([expect.objectContaining({ at: '2022-01-19T05:00:00.000Z' })]);
    // Its alarm comes back to it as it wrote it (UID, X-WR-ALARMUID).
    const got = (await dav.get(path).expect(200)).text;
    expect(valarms(got)).toEqual([
      expect.stringContaining('X-WR-ALARMUID:2CBB42D2-039E-4F6B-BFDF-761632A15305'),
    ]);
  });

  // Recorded: tasks/tasks app/src/test/resources/apple/basic_completed.txt (iOS 11.2.6; GPL-3.0).
  // Its X-APPLE-SORT-ORDER (seconds since 2001) is below every number of ours: it goes first, and
  // is then served with ours (docs/caldav.md "Manual order").
  it('a completed task, placed by its X-APPLE-SORT-ORDER', async () => {
    const { api, dav, list } = await signedIn();
    const first = (await api.post('/api/tasks').send({ title: 'Made here', list_id: list.id }).expect(201))
      .body as Task;
    await api
      .post('/api/tasks')
      .send({ title: 'Made here too', list_id: list.id, after: first.id })
      .expect(201);
    const path = `/dav/calendars/${list.id}/31FC53CE-71A0-4AE1-8371-822B8DC4ECD9.ics`;
    await dav.put(path, fixture('apple-reminders/basic_completed.ics'), { 'If-None-Match': '*' }).expect(201);
    const { task } = await restState(api, list.id, 'Test');
    expect(task).toEqual(expect.objectContaining({ completed: true, due_date: null }));
    const listed = (await api.get(`/api/tasks?list_id=${list.id}&sort=position`).expect(200)).body as Task[];
    expect(listed.map((x) => x.title)).toEqual(['Test', 'Made here', 'Made here too']);
    const got = (await dav.get(path).expect(200)).text;
    expect(got).not.toContain('X-APPLE-SORT-ORDER:545683380');
    expect(got).toMatch(/^X-APPLE-SORT-ORDER:\d{16,}\r$/m);
  });
});

describe('Thunderbird', () => {
  // Recorded: tasks/tasks app/src/test/resources/thunderbird/reminder_before_end.txt (GPL-3.0).
  it('an alarm 15 minutes before DUE (TRIGGER;VALUE=DURATION;RELATED=END) is a relative reminder', async () => {
    const { api, dav, list } = await signedIn();
    const path = `/dav/calendars/${list.id}/5b3a42d5-e99c-2f47-87d5-8ba0e2b753ab.ics`;
    await dav.put(path, fixture('thunderbird/reminder_before_end.ics'), { 'If-None-Match': '*' }).expect(201);
    const { task, reminders } = await restState(api, list.id, 'Test');
    expect(task).toEqual(
      expect.objectContaining({ due_date: '2022-01-21T19:00:00.000Z', time_zone: 'America/Chicago' }),
    );
    expect(reminders).toEqual([expect.objectContaining({ before_minutes: 15 })]);
    const got = (await dav.get(path).expect(200)).text;
    expect(got).toContain('X-MOZ-GENERATION:2');
    expect(valarms(got)).toEqual([expect.stringContaining('DESCRIPTION:Default Mozilla Description')]);
  });

  // Recorded: tasks/tasks app/src/test/resources/thunderbird/completed_repeating_task.txt (GPL-3.0):
  // Thunderbird completes one occurrence by adding an override (RECURRENCE-ID, STATUS:COMPLETED).
  // The series is first created from the same file without that override (derived: the master
  // VTODO alone, as Thunderbird had it before the completion).
  it('a completed occurrence of a daily task advances the series once', async () => {
    const { api, dav, list } = await signedIn();
    const path = `/dav/calendars/${list.id}/e0600bbe-b9d0-ba48-80b0-998409625d03.ics`;
    const completed = fixture('thunderbird/completed_repeating_task.ics');
    const series = completed.replace(
      /BEGIN:VTODO(?:(?!END:VTODO)[\s\S])*RECURRENCE-ID[\s\S]*?END:VTODO\r\n/,
      '',
    );
    expect(series).not.toContain('RECURRENCE-ID');
    await dav.put(path, series, { 'If-None-Match': '*' }).expect(201);
    const before = (await restState(api, list.id, 'Recurring')).task;
    expect(before).toEqual(
      expect.objectContaining({
        due_date: '2020-12-20T23:00:00.000Z',
        time_zone: 'America/Chicago',
        recurrence: expect.objectContaining({ rule: expect.stringContaining('FREQ=DAILY') }),
      }),
    );
    await dav.put(path, completed).expect(204);
    // Advanced as PATCH …/complete advances it: to the next occurrence (past ones are skipped), 17:00 in Chicago.
    const after = (await restState(api, list.id, 'Recurring')).task;
    expect(after.completed).toBe(false);
    expect(Date.parse(after.due_date!)).toBeGreaterThan(Date.parse(before.due_date!));
    const chicago = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/Chicago',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    expect(chicago.format(new Date(after.due_date!))).toBe('17:00');
    // The same write again (a client retrying) completes nothing more.
    await dav.put(path, completed).expect(204);
    expect((await restState(api, list.id, 'Recurring')).task.due_date).toBe(after.due_date);
  });
});

describe('tasks.org (DAVx⁵ / ical4android)', () => {
  // Recorded: go-vikunja/vikunja pkg/caldav/parsing_test.go, case "example task from tasks.org app"
  // (tasks.org build 130102; AGPL-3.0): tags, X-APPLE-SORT-ORDER, DUE and DTSTART in Europe/Berlin,
  // an alarm at DUE and one at a date-time.
  const NEW_TASK = 'tasks.org/new_task_with_alarms.ics';

  it('a new task with two alarms: fields, zone and both reminders', async () => {
    const { api, dav, list } = await signedIn();
    const path = `/dav/calendars/${list.id}/4290517349243274514.ics`;
    await dav.put(path, fixture(NEW_TASK), { 'If-None-Match': '*' }).expect(201);
    const { task, reminders } = await restState(api, list.id, 'Test with tasks.org');
    expect(task).toEqual(
      expect.objectContaining({
        priority: 'low',
        tags: ['vikunja'],
        due_date: '2023-04-02T15:00:01.000Z',
        time_zone: 'Europe/Berlin',
      }),
    );
    // Made in one write, so in no particular order.
    expect(reminders).toHaveLength(2);
    expect(reminders).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ before_minutes: 0 }),
        expect.objectContaining({ at: '2023-04-02T10:00:00.000Z' }),
      ]),
    );
    // Its X-APPLE-SORT-ORDER placed it (alone in the list); ours is served.
    expect((await dav.get(path).expect(200)).text).toMatch(/^X-APPLE-SORT-ORDER:\d{16,}\r$/m);
  });

  // Constructed from tasks/tasks app/src/main/java/org/tasks/caldav/iCalendar.kt (`Task.parent`
  // adds a RELATED-TO without RELTYPE, i.e. PARENT) written by bitfireAT/ical4android
  // lib/src/main/kotlin/at/bitfire/ical4android/Task.kt `write()` (its property order: DTSTAMP, UID,
  // CREATED, LAST-MODIFIED, SUMMARY, PRIORITY, RELATED-TO, unknown properties); both GPL-3.0.
  it('a subtask (RELATED-TO the parent’s UID) lands under its parent, in either upload order', async () => {
    const { api, dav, list } = await signedIn();
    const base = `/dav/calendars/${list.id}/`;
    // DAVx⁵ uploads in any order: the subtask first.
    await dav.put(`${base}4290517349243274999.ics`, fixture('tasks.org/subtask.constructed.ics')).expect(201);
    await dav.put(`${base}4290517349243274514.ics`, fixture(NEW_TASK)).expect(201);
    const parent = (await restState(api, list.id, 'Test with tasks.org')).task;
    const sub = (await restState(api, list.id, 'Subtask with tasks.org')).task;
    expect(sub.parent_id).toBe(parent.id);
    expect((await dav.get(`${base}4290517349243274999.ics`).expect(200)).text).toMatch(
      /^X-APPLE-SORT-ORDER:\d{16,}\r$/m,
    );
  });

  // Constructed from bitfireAT/davx5-ose app/src/main/kotlin/at/bitfire/davdroid/servicedetection/:
  // DavResourceFinder.kt (checkBaseURL's PROPFIND, providesService's OPTIONS, queryEmailAddress),
  // CollectionListRefresher.kt (homeSetProperties) and ServiceDetectionUtils.kt
  // (collectionQueryProperties): the properties it asks for, in its order; the XML prefixes are ours
  // (dav4jvm chooses its own). GPL-3.0.
  it('discovery: base URL → principal (calendar-access) → email → home set → one VTODO calendar per list', async () => {
    const { dav, list } = await signedIn();
    const body = (name: string) => readFileSync(join(FIXTURES, 'davx5', name), 'utf8');
    const responses = (xml: string) => {
      const root = parseXml(xml);
      return childrenNamed(root, NS.DAV, 'response');
    };
    const found = (response: XmlElement) => {
      const props = new Map<string, XmlElement>();
      for (const stat of childrenNamed(response, NS.DAV, 'propstat'))
        if (child(stat, NS.DAV, 'status')!.text.includes(' 200 '))
          for (const p of child(stat, NS.DAV, 'prop')!.children) props.set(p.name, p);
      return props;
    };
    const hrefIn = (el: XmlElement | undefined) => child(el, NS.DAV, 'href')?.text;

    const [base] = responses(
      (await dav.propfind('/dav/', body('1-base-url.constructed.xml')).expect(207)).text,
    );
    const principal = hrefIn(found(base).get('current-user-principal'));
    expect(principal).toBe('/dav/principal/');
    const options = await dav.call('options', principal!).expect(200);
    expect(options.headers.dav).toContain('calendar-access');
    const [email] = responses(
      (await dav.propfind(principal!, body('2-principal-email.constructed.xml')).expect(207)).text,
    );
    // No email in this user's sign-in: the property is answered 404, which DAVx⁵ takes as "none".
    expect(hrefIn(email)).toBe(principal);
    expect(found(email).has('calendar-user-address-set')).toBe(false);
    const [homeSets] = responses(
      (await dav.propfind(principal!, body('3-principal-home-sets.constructed.xml')).expect(207)).text,
    );
    const home = hrefIn(found(homeSets).get('calendar-home-set'));
    expect(home).toBe('/dav/calendars/');
    const collections = responses(
      (await dav.propfind(home!, body('4-home-collections.constructed.xml'), '1').expect(207)).text,
    );
    const calendars = collections
      .map((r) => ({ href: hrefIn(r), props: found(r) }))
      .filter((r) => child(r.props.get('resourcetype'), NS.CALDAV, 'calendar'));
    const replayed = calendars.find((c) => c.href === `/dav/calendars/${list.id}/`);
    expect(replayed?.props.get('displayname')?.text).toBe('Replayed');
    const comps = childrenNamed(replayed!.props.get('supported-calendar-component-set'), NS.CALDAV, 'comp');
    expect(comps.map((c) => c.attributes.name)).toEqual(['VTODO']);
    const privileges = childrenNamed(replayed!.props.get('current-user-privilege-set'), NS.DAV, 'privilege');
    expect(privileges.flatMap((p) => p.children.map((c) => c.name))).toContain('write');
  });
});
