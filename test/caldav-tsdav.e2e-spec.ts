import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createDAVClient, type DAVCalendar, type DAVCalendarObject } from 'tsdav';
import { CaldavService } from '../src/caldav/caldav.service.js';
import type { ListDto } from '../src/lists/dto/list.dto.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { as, useTestApp } from './helpers/app.js';
import { appPassword } from './helpers/dav.js';
import { newUser } from './helpers/tokens.js';

/**
 * The CalDAV endpoint driven by `tsdav` (issue #32 item 2), the npm WebDAV/CalDAV client, over real
 * HTTP to the real app: discovery from the bare host (/.well-known/caldav), one VTODO calendar per
 * list, create, calendar-query + calendar-multiget, edit with the right ETag and a stale one (412),
 * complete, delete, and sync-collection after REST writes. tsdav is a devDependency, so it always
 * runs; it loads under jest's ESM mode (`--experimental-vm-modules`) through its `import` export.
 * Every step is checked against the REST state, and the client's own properties, and its spelling
 * of ours, must come back as it wrote them.
 */
const t = useTestApp();
let base = '';
beforeAll(async () => {
  await t.app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
});

/** The content lines of an iCalendar text, unfolded (RFC 5545 3.1). */
const contentLines = (ics: string): string[] =>
  ics
    .replace(/\r?\n[ \t]/g, '')
    .split(/\r?\n/)
    .filter(Boolean);

/** A property line's name (before its parameters or value). */
const nameOf = (line: string) => /^[^;:]+/.exec(line)![0].toUpperCase();

/**
 * Every line the client sent is in what the server returns, byte for byte after unfolding, except
 * those of the properties named in `rewritten` (which the server may rewrite on a change).
 */
function expectKept(sent: string, returned: string, rewritten: string[] = []): void {
  const got = new Set(contentLines(returned));
  const missing = contentLines(sent).filter((l) => !rewritten.includes(nameOf(l)) && !got.has(l));
  expect(missing).toEqual([]);
}

/** A resource's ETag at its task's `version`: the version first (`"7"`; a per-reader part may follow, `"7-42"`). */
const etagAt = (version: number) => new RegExp(`^"${version}(?:-\\d+)?"$`);

/** A VCALENDAR with one VTODO as a client writes it (CRLF). */
const ics = (lines: string[]) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//tsdav spec//EN',
    'BEGIN:VTODO',
    ...lines,
    'END:VTODO',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

/** What calendar-query a task app sends with tsdav (its default filter asks for VEVENTs). */
const VTODOS = [
  {
    'comp-filter': { _attributes: { name: 'VCALENDAR' }, 'comp-filter': { _attributes: { name: 'VTODO' } } },
  },
];

/**
 * A new user with an app password, their REST api, a list named `name`, and tsdav signed in with
 * Basic auth, discovering from `serverUrl` (default: the bare host, so /.well-known/caldav).
 */
async function signedIn(name: string, serverUrl = base) {
  const user = newUser();
  const api = as(t.app, user);
  const password = await appPassword(t.app, user, 'tsdav');
  const list = (await api.post('/api/lists').send({ name }).expect(201)).body as ListDto;
  const client = await createDAVClient({
    serverUrl,
    credentials: { username: user, password },
    authMethod: 'Basic',
    defaultAccountType: 'caldav',
  });
  return { user, api, list, client };
}

describe('tsdav', () => {
  it('discovers, creates, reads, edits, completes, deletes, syncs after REST writes, and gets 412 on a stale If-Match', async () => {
    // Discovery from the bare host: /.well-known/caldav, the principal, the calendar home.
    const { api, list, client } = await signedIn('tsdav');
    const tasks = async () =>
      (await api.get(`/api/tasks?list_id=${list.id}&sort=title`).expect(200)).body as Task[];
    const account = await client.createAccount({ account: { accountType: 'caldav' } });
    expect([account.rootUrl, account.principalUrl, account.homeUrl]).toEqual([
      `${base}/dav/`,
      `${base}/dav/principal/`,
      `${base}/dav/calendars/`,
    ]);
    const calendars = await client.fetchCalendars();
    expect(calendars.map((c) => [c.displayName, c.components])).toEqual([
      ['Inbox', ['VTODO']],
      ['tsdav', ['VTODO']],
    ]);
    let calendar = calendars.find((c) => c.displayName === 'tsdav') as DAVCalendar;
    expect(calendar.url).toBe(`${base}/dav/calendars/${list.id}/`);
    expect(calendar.syncToken).toEqual(expect.any(String));
    expect(calendar.reports).toEqual(
      expect.arrayContaining(['calendarMultiget', 'calendarQuery', 'syncCollection']),
    );

    // Create: a task with everything we map, in the client's spelling, and properties of its own.
    const parentUid = `tsdav-${randomUUID()}`;
    const made = [
      `UID:${parentUid}`,
      'DTSTAMP:20261206T120000Z',
      'CREATED:20261206T120000Z',
      'SUMMARY:Made by tsdav',
      'DESCRIPTION:Two lines\\nof text',
      'PRIORITY:2',
      'CATEGORIES:Home,Errands',
      'DTSTART;TZID=Europe/Berlin:20261210T080000',
      'DUE;TZID=Europe/Berlin:20261210T090000',
      'URL:https://example.com/tsdav',
      'X-TSDAV-TEST:1',
      'X-TSDAV-PARAM;X-FOO=bar:kept as written',
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'DESCRIPTION:Reminder',
      'TRIGGER:-PT15M',
      'END:VALARM',
    ];
    const created = await client.createCalendarObject({
      calendar,
      filename: 'made-by-tsdav.ics',
      iCalString: ics(made),
    });
    expect(created.status).toBe(201);
    const childUid = `tsdav-${randomUUID()}`;
    const child = await client.createCalendarObject({
      calendar,
      filename: 'subtask.ics',
      iCalString: ics([
        `UID:${childUid}`,
        'DTSTAMP:20261206T120000Z',
        'SUMMARY:Subtask from tsdav',
        `RELATED-TO;RELTYPE=PARENT:${parentUid}`,
      ]),
    });
    expect(child.status).toBe(201);
    const [parentTask, childTask] = await tasks();
    expect(parentTask).toMatchObject({
      title: 'Made by tsdav',
      description: 'Two lines\nof text',
      priority: 'high',
      tags: ['home', 'errands'],
      due_date: '2026-12-10T08:00:00.000Z',
      time_zone: 'Europe/Berlin',
      completed: false,
      parent_id: null,
    });
    expect(childTask).toMatchObject({ title: 'Subtask from tsdav', parent_id: parentTask.id });

    // Read back: calendar-query for VTODOs, then calendar-multiget (tsdav's default path).
    const read = async () =>
      new Map(
        (await client.fetchCalendarObjects({ calendar, filters: VTODOS })).map((o) => [
          new URL(o.url).pathname,
          o,
        ]),
      );
    let objects = await read();
    const parentPath = `/dav/calendars/${list.id}/made-by-tsdav.ics`;
    const childPath = `/dav/calendars/${list.id}/subtask.ics`;
    expect([...objects.keys()].sort()).toEqual([parentPath, childPath].sort());
    let parent = objects.get(parentPath)!;
    expect(parent.etag).toMatch(etagAt(parentTask.version));
    expectKept(ics(made), parent.data as string);

    // Edit with the right ETag.
    const edited = made.map((l) => (l.startsWith('SUMMARY:') ? 'SUMMARY:Edited by tsdav' : l));
    const staleEtag = parent.etag;
    const update = await client.updateCalendarObject({ calendarObject: { ...parent, data: ics(edited) } });
    expect(update.ok).toBe(true);
    expect((await tasks()).find((x) => x.id === parentTask.id)).toMatchObject({
      title: 'Edited by tsdav',
      version: parentTask.version + 1,
    });

    // A conflict: the same edit on the ETag it had before is refused, and changes nothing.
    const conflict = await client.updateCalendarObject({
      calendarObject: { ...parent, etag: staleEtag, data: ics(made) },
    });
    expect(conflict.status).toBe(412);
    expect((await tasks()).find((x) => x.id === parentTask.id)!.title).toBe('Edited by tsdav');

    // Complete, on the ETag calendar-multiget gives now.
    const [current] = await client.calendarMultiGet({
      url: calendar.url,
      props: { 'd:getetag': {}, 'c:calendar-data': {} },
      objectUrls: [parentPath],
      depth: '1',
    });
    expect(current.props?.getetag).toMatch(etagAt(parentTask.version + 1));
    const completed = [
      ...edited.slice(0, edited.indexOf('BEGIN:VALARM')),
      'STATUS:COMPLETED',
      'COMPLETED:20261206T130000Z',
      'PERCENT-COMPLETE:100',
      ...edited.slice(edited.indexOf('BEGIN:VALARM')),
    ];
    const completion = await client.updateCalendarObject({
      calendarObject: {
        url: `${base}${parentPath}`,
        etag: String(current.props?.getetag),
        data: ics(completed),
      },
    });
    expect(completion.ok).toBe(true);
    const done = (await tasks()).find((x) => x.id === parentTask.id)!;
    expect(done).toMatchObject({ title: 'Edited by tsdav', completed: true, priority: 'high' });

    // Delete: a stale ETag is refused; the right one deletes the task.
    objects = await read();
    const childObject = objects.get(childPath)!;
    expect(childObject.etag).toMatch(etagAt(childTask.version));
    const staleDelete = await client.deleteCalendarObject({
      calendarObject: { ...childObject, etag: `"${childTask.version + 7}"` },
    });
    expect(staleDelete.status).toBe(412);
    expect((await tasks()).map((x) => x.id)).toContain(childTask.id);
    const deleted = await client.deleteCalendarObject({ calendarObject: childObject });
    expect(deleted.status).toBe(204);
    await api.get(`/api/tasks/${childTask.id}`).expect(404);
    expect((await tasks()).map((x) => x.title)).toEqual(['Edited by tsdav']);

    // Sync: what the client holds now, then REST writes, then sync-collection from its token.
    const doomed = (
      await api.post('/api/tasks').send({ title: 'Deleted on the web', list_id: list.id }).expect(201)
    ).body as Task;
    calendar = (await client.fetchCalendars()).find((c) => c.url === calendar.url)!;
    objects = await read();
    expect(objects.size).toBe(2);
    const local: DAVCalendarObject[] = [...objects.values()];
    parent = objects.get(parentPath)!;
    expectKept(ics(completed), parent.data as string);

    await api.patch(`/api/tasks/${parentTask.id}`).send({ title: 'Changed on the web' }).expect(200);
    await api.delete(`/api/tasks/${doomed.id}`).expect(204);
    const fresh = (
      await api.post('/api/tasks').send({ title: 'Made on the web', list_id: list.id }).expect(201)
    ).body as Task;

    const synced = await client.smartCollectionSyncDetailed({
      collection: { ...calendar, objects: local, objectMultiGet: client.calendarMultiGet },
      method: 'webdav',
      account,
    });
    const { created: added, updated, deleted: gone } = synced.objects;
    expect(added.map((o) => new URL(o.url).pathname)).toEqual([`/dav/calendars/${list.id}/${fresh.id}.ics`]);
    expect(added[0].data).toContain('SUMMARY:Made on the web');
    expect(added[0].etag).toMatch(etagAt(fresh.version));
    expect(updated.map((o) => new URL(o.url).pathname)).toEqual([parentPath]);
    expect(gone.map((o) => new URL(o.url).pathname)).toEqual([`/dav/calendars/${list.id}/${doomed.id}.ics`]);
    // The REST change rewrote the title (and the stamps); everything else is as the client wrote it:
    // its own properties, its VALARM, and its spelling of ours (PRIORITY:2, CATEGORIES:Home,Errands).
    const after = updated[0].data as string;
    expect(contentLines(after)).toContain('SUMMARY:Changed on the web');
    expectKept(ics(completed), after, ['SUMMARY', 'DTSTAMP', 'LAST-MODIFIED']);
    expect(updated[0].etag).toMatch(etagAt(done.version + 1));

    // The new token: nothing changed since.
    expect(synced.syncToken).toEqual(expect.any(String));
    expect(synced.syncToken).not.toBe(calendar.syncToken);
    const again = await client.smartCollectionSyncDetailed({
      collection: { ...synced, objects: [...local, ...added], objectMultiGet: client.calendarMultiGet },
      method: 'webdav',
      account,
    });
    expect(again.objects).toEqual({ created: [], updated: [], deleted: [] });

    // And the REST state after all of it.
    expect((await tasks()).map((x) => [x.title, x.completed, x.priority, x.tags])).toEqual([
      ['Changed on the web', true, 'high', ['home', 'errands']],
      ['Made on the web', false, 'medium', []],
    ]);
  }, 60_000);
});

/**
 * A calendar-multiget and a sync-collection asking calendar-data (tsdav's smartCollectionSync) read
 * and render only the resources they answer, not the whole list (bench:caldav: in a 1 000-task list
 * they cost what the list's size did).
 */
describe('reports', () => {
  it('read the resources they name, and only those', async () => {
    const { user, api, list, client } = await signedIn('Named', `${base}/dav/`);
    const web = await Promise.all(
      ['One', 'Two', 'Three'].map(
        async (title) =>
          (await api.post('/api/tasks').send({ title, list_id: list.id }).expect(201)).body as Task,
      ),
    );
    const calendar = (await client.fetchCalendars()).find((c) => c.displayName === 'Named')!;
    const put = await client.createCalendarObject({
      calendar,
      filename: 'mine.ics',
      iCalString: ics([`UID:mine-${randomUUID()}`, 'DTSTAMP:20261206T120000Z', 'SUMMARY:Mine']),
    });
    expect(put.status).toBe(201);
    const mine = (await api.get(`/api/tasks?list_id=${list.id}&q=Mine`).expect(200)).body as Task[];

    const dav = t.app.get(CaldavService);
    const names = async (wanted?: string[]) =>
      (await dav.resources(user, list.id, wanted)).map((r) => r.name).sort();
    expect(await names()).toHaveLength(4);
    expect(await names(['mine.ics', `${web[0].id}.ics`, 'nothing.ics', web[1].id])).toEqual(
      ['mine.ics', `${web[0].id}.ics`].sort(),
    );
    expect(await names([])).toEqual([]);
    // A resource a client named is not also found under its task's id.
    expect(await names([`${mine[0].id}.ics`])).toEqual([]);
    // Another user reads nothing of a list they are not a member of.
    expect(await dav.resources(newUser(), list.id, ['mine.ics'])).toEqual([]);

    // Through the client: what was asked for.
    const got = await client.calendarMultiGet({
      url: calendar.url,
      props: { 'd:getetag': {}, 'c:calendar-data': {} },
      objectUrls: [`/dav/calendars/${list.id}/mine.ics`, `/dav/calendars/${list.id}/${web[2].id}.ics`],
      depth: '1',
    });
    expect(got.map((r) => [new URL(r.href!, base).pathname, r.ok])).toEqual([
      [`/dav/calendars/${list.id}/mine.ics`, true],
      [`/dav/calendars/${list.id}/${web[2].id}.ics`, true],
    ]);
    expect(String(got[1].props?.calendarData?._cdata ?? got[1].props?.calendarData)).toContain(
      'SUMMARY:Three',
    );
  });
});
