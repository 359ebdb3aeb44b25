import { randomUUID } from 'node:crypto';
import type { ListDto } from '../src/lists/dto/list.dto.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { child, childrenNamed, NS, parseXml, type XmlElement } from '../src/caldav/dav-xml.js';
import { sortOrderOf } from '../src/caldav/sort-order.js';
import { keyBetween } from '../src/tasks/positions.js';
import { membership } from './helpers/members.js';
import { as, expectProblem, useTestApp } from './helpers/app.js';
import { appPassword, davClient, PROPFIND, vtodo } from './helpers/dav.js';
import { newUser } from './helpers/tokens.js';

const t = useTestApp();
const { join } = membership((text, values) => t.db.query(text, values));

/** A user with an app password, their REST api and their CalDAV client. */
async function signedIn() {
  const user = newUser();
  const password = await appPassword(t.app, user);
  return { user, api: as(t.app, user), dav: davClient(t.app, user, password) };
}

/** The DAV:response elements of a multistatus, by href. */
function responses(xml: string): Map<string, XmlElement> {
  const root = parseXml(xml);
  expect(root.name).toBe('multistatus');
  return new Map(childrenNamed(root, NS.DAV, 'response').map((r) => [child(r, NS.DAV, 'href')!.text, r]));
}

/** The properties a response found (200), by name. */
function found(response: XmlElement | undefined): Map<string, XmlElement> {
  const props = new Map<string, XmlElement>();
  for (const stat of childrenNamed(response, NS.DAV, 'propstat'))
    if (child(stat, NS.DAV, 'status')!.text.includes(' 200 '))
      for (const p of child(stat, NS.DAV, 'prop')!.children) props.set(p.name, p);
  return props;
}

const href = (el: XmlElement | undefined) => child(el, NS.DAV, 'href')?.text;
const makeList = async (api: ReturnType<typeof as>, name: string): Promise<ListDto> =>
  (await api.post('/api/lists').send({ name }).expect(201)).body;

describe('discovery', () => {
  it('leads from /dav/ to the principal, the calendar home and one VTODO calendar per list, with the role as privileges', async () => {
    const { user, api, dav } = await signedIn();
    const groceries = await makeList(api, 'Groceries');
    const owner = await signedIn();
    const shared = await makeList(owner.api, 'Shared with me');
    await join(shared.id, user, 'viewer');

    const root = responses(
      (await dav.propfind('/dav/', PROPFIND('<d:current-user-principal/>')).expect(207)).text,
    );
    const principal = href(found(root.get('/dav/')).get('current-user-principal'));
    expect(principal).toBe('/dav/principal/');
    const home = href(
      found(
        responses((await dav.propfind(principal!, PROPFIND('<c:calendar-home-set/>')).expect(207)).text).get(
          principal!,
        ),
      ).get('calendar-home-set'),
    );
    expect(home).toBe('/dav/calendars/');
    const props = PROPFIND(
      '<d:resourcetype/>',
      '<d:displayname/>',
      '<c:supported-calendar-component-set/>',
      '<cs:getctag/>',
      '<d:sync-token/>',
      '<d:current-user-privilege-set/>',
      '<d:unknown-property/>',
    );
    const listing = responses((await dav.propfind(home!, props, '1').expect(207)).text);
    const lists = (await api.get('/api/lists').expect(200)).body as ListDto[];
    expect(lists.map((l) => l.name)).toEqual(['Inbox', 'Groceries', 'Shared with me']);
    expect([...listing.keys()]).toEqual([home, ...lists.map((l) => `/dav/calendars/${l.id}/`)]);
    const calendar = found(listing.get(`/dav/calendars/${groceries.id}/`));
    expect(calendar.get('displayname')!.text).toBe('Groceries');
    expect(child(calendar.get('resourcetype'), NS.CALDAV, 'calendar')).toBeDefined();
    expect(child(calendar.get('supported-calendar-component-set'), NS.CALDAV, 'comp')!.attributes.name).toBe(
      'VTODO',
    );
    expect(calendar.get('getctag')!.text).not.toBe('');
    expect(calendar.get('sync-token')!.text).toMatch(/^urn:x-tasks-api:sync:/);
    const privileges = (el: XmlElement | undefined) =>
      childrenNamed(el, NS.DAV, 'privilege')
        .map((p) => p.children[0].name)
        .sort();
    expect(privileges(calendar.get('current-user-privilege-set'))).toContain('write-content');
    const viewed = found(listing.get(`/dav/calendars/${shared.id}/`));
    expect(privileges(viewed.get('current-user-privilege-set'))).toEqual([
      'read',
      'read-current-user-privilege-set',
    ]);
    // Asked for and not there: 404 in its own propstat.
    expect(listing.get(`/dav/calendars/${groceries.id}/`)!.children.length).toBe(3);
    // A list the caller is not a member of is not there.
    expectProblem(await dav.propfind(`/dav/calendars/${randomUUID()}/`, props), 404);
    // Nothing is writable over CalDAV: each property a PROPPATCH names is 403, in a multistatus.
    const patch = await dav
      .call('proppatch', `/dav/calendars/${groceries.id}/`, { 'Content-Type': 'application/xml' })
      .buffer(true)
      .send(
        '<d:propertyupdate xmlns:d="DAV:" xmlns:a="http://apple.com/ns/ical/"><d:set><d:prop><d:displayname>X</d:displayname><a:calendar-color>#FF0000FF</a:calendar-color></d:prop></d:set></d:propertyupdate>',
      )
      .expect(207);
    const patched = responses(patch.text).get(`/dav/calendars/${groceries.id}/`);
    expect(child(childrenNamed(patched, NS.DAV, 'propstat')[0], NS.DAV, 'status')!.text).toContain('403');
    expect(((await api.get(`/api/lists/${groceries.id}`).expect(200)).body as ListDto).name).toBe(
      'Groceries',
    );
  });

  it('PROPFIND, PROPPATCH and REPORT name the root element their body needs: 400 otherwise', async () => {
    const { api, dav } = await signedIn();
    const calendar = `/dav/calendars/${(await makeList(api, 'Roots')).id}/`;
    const sent = (method: 'propfind' | 'proppatch' | 'report', body?: string) => {
      const req = dav.call(method, calendar, { 'Content-Type': 'application/xml', Depth: '0' });
      return body === undefined ? req : req.send(body);
    };
    const wrongRoot = '<d:mkcol xmlns:d="DAV:"/>';
    const cases: [Promise<{ status: number; body: { detail?: string } }>, string][] = [
      [sent('propfind', wrongRoot), 'A PROPFIND body is a DAV:propfind element'],
      [sent('proppatch', wrongRoot), 'A PROPPATCH body is a DAV:propertyupdate element'],
      [sent('proppatch'), 'A PROPPATCH body is a DAV:propertyupdate element'],
      [sent('report'), 'A REPORT needs a body'],
    ];
    for (const [answer, detail] of cases) {
      const res = await answer;
      expect([res.status, res.body.detail]).toEqual([400, detail]);
    }
    // A PROPFIND without a body asks for everything; a REPORT of an unknown root is refused by DAV's own precondition.
    expect((await sent('propfind')).status).toBe(207);
    expect((await sent('report', wrongRoot)).status).toBe(403);
  });
});

describe('resources', () => {
  it('are created by PUT under the client’s name, read by GET and REST alike, with the version as ETag', async () => {
    const { api, dav } = await signedIn();
    const list = await makeList(api, 'Errands');
    const uid = `${randomUUID().toUpperCase()}`;
    const path = `/dav/calendars/${list.id}/${uid}.ics`;
    const ics = vtodo(uid, [
      'SUMMARY:Buy milk',
      'DESCRIPTION:Two litres',
      'PRIORITY:2',
      'CATEGORIES:Home,Errand',
      'DUE;TZID=Europe/Berlin:20261210T090000',
      'X-CLIENT-THING;X-P=1:keep me',
    ]);
    const created = await dav.put(path, ics, { 'If-None-Match': '*' }).expect(201);
    const tasks = (await api.get(`/api/tasks?list_id=${list.id}`).expect(200)).body as Task[];
    expect(tasks).toEqual([
      expect.objectContaining({
        title: 'Buy milk',
        description: 'Two litres',
        priority: 'high',
        tags: ['home', 'errand'],
        due_date: '2026-12-10T08:00:00.000Z',
        time_zone: 'Europe/Berlin',
        completed: false,
        version: 1,
      }),
    ]);
    // Stored with the server's X-APPLE-SORT-ORDER added, so not as sent: no ETag (RFC 4791 5.3.4).
    expect(created.headers.etag).toBeUndefined();
    const got = await dav.get(path).expect(200);
    expect(got.headers.etag).toBe('"1"');
    expect(got.headers['content-type']).toMatch(/^text\/calendar/);
    // The client's own text comes back: its PRIORITY 2, its spelling of the categories, its X- property.
    expect(got.text).toContain('PRIORITY:2');
    expect(got.text).toContain('CATEGORIES:Home,Errand');
    expect(got.text).toContain('X-CLIENT-THING;X-P=1:keep me');
    expect(got.text).toContain(`UID:${uid}`);

    // A REST change shows over CalDAV, with the client's property still there.
    await api.patch(`/api/tasks/${tasks[0].id}`).send({ title: 'Buy oat milk', completed: true }).expect(200);
    const changed = await dav.get(path).expect(200);
    expect(changed.headers.etag).toBe('"2"');
    expect(changed.text).toContain('SUMMARY:Buy oat milk');
    expect(changed.text).toContain('STATUS:COMPLETED');
    expect(changed.text).toContain('X-CLIENT-THING;X-P=1:keep me');

    // Conditional writes: a stale If-Match and If-None-Match: * on an existing resource are 412.
    expectProblem(await dav.put(path, ics, { 'If-Match': '"1"' }), 412);
    expectProblem(await dav.put(path, ics, { 'If-None-Match': '*' }), 412);
    expectProblem(await dav.put(`/dav/calendars/${list.id}/nothing-here.ics`, ics, { 'If-Match': '*' }), 412);
    const reopened = vtodo(uid, ['SUMMARY:Buy oat milk', 'STATUS:NEEDS-ACTION', 'X-CLIENT-THING:changed']);
    await dav.put(path, reopened, { 'If-Match': '"2"' }).expect(204);
    const after = (await api.get(`/api/tasks/${tasks[0].id}`).expect(200)).body as Task;
    expect(after).toEqual(
      expect.objectContaining({ completed: false, version: 3, priority: 'low', tags: [] }),
    );
    expect((await dav.get(path).expect(200)).text).toContain('X-CLIENT-THING:changed');

    expectProblem(await dav.delete(path, { 'If-Match': '"2"' }), 412);
    await dav.delete(path, { 'If-Match': '"3"' }).expect(204);
    await api.get(`/api/tasks/${tasks[0].id}`).expect(404);
    expectProblem(await dav.get(path), 404);
  });

  it('serves tasks made through REST as {id}.ics, and refuses bad input', async () => {
    const { api, dav } = await signedIn();
    const task = (
      await api
        .post('/api/tasks')
        .send({ title: 'From the web', due_date: '2026-12-24T17:00:00Z' })
        .expect(201)
    ).body as Task;
    const path = `/dav/calendars/${task.list_id}/${task.id}.ics`;
    const got = await dav.get(path).expect(200);
    expect(got.text).toContain(`UID:${task.id}`);
    expect(got.text).toContain('SUMMARY:From the web');
    expect(got.text).toContain('DUE:20261224T170000Z');
    expect(got.text).toContain('PRIORITY:5');
    const base = `/dav/calendars/${task.list_id}/`;
    const bad = await dav.put(`${base}bad.ics`, 'BEGIN:VCALENDAR\r\nnot ical\r\n');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('valid-calendar-data');
    const event = vtodo('e1').replace('BEGIN:VTODO', 'BEGIN:VEVENT').replace('END:VTODO', 'END:VEVENT');
    expect((await dav.put(`${base}event.ics`, event)).status).toBe(403);
    expectProblem(await dav.put(`${base}text.ics`, vtodo('t1'), { 'Content-Type': 'text/plain' }), 415);
    const huge = vtodo('big', [`DESCRIPTION:${'x'.repeat(300 * 1024)}`]);
    expectProblem(await dav.put(`${base}big.ics`, huge), 413);
    // Nothing of those was created.
    expect(((await api.get('/api/tasks').expect(200)).body as Task[]).length).toBe(1);
  });

  it('lets a viewer read and refuses their writes (403); a non-member gets 404', async () => {
    const owner = await signedIn();
    const viewer = await signedIn();
    const list = await makeList(owner.api, 'Read only');
    await join(list.id, viewer.user, 'viewer');
    const task = (await owner.api.post('/api/tasks').send({ title: 'Look', list_id: list.id }).expect(201))
      .body as Task;
    const path = `/dav/calendars/${list.id}/${task.id}.ics`;
    await viewer.dav.get(path).expect(200);
    expectProblem(await viewer.dav.put(path, vtodo(task.id, ['SUMMARY:Touch'])), 403);
    expectProblem(
      await viewer.dav.put(`/dav/calendars/${list.id}/new.ics`, vtodo('new', ['SUMMARY:New'])),
      403,
    );
    expectProblem(await viewer.dav.delete(path), 403);
    const stranger = await signedIn();
    expectProblem(await stranger.dav.get(path), 404);
  });

  it('completes the occurrence of a repeating task a client marks completed: the series advances, as through REST', async () => {
    const { api, dav } = await signedIn();
    const list = await makeList(api, 'Habits');
    const path = `/dav/calendars/${list.id}/water.ics`;
    const due = new Date(Date.now() + 86_400_000);
    const stamp = (d: Date) =>
      d
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
    const lines = ['SUMMARY:Water the plants', `DUE:${stamp(due)}`, 'RRULE:FREQ=DAILY'];
    await dav.put(path, vtodo('water', lines)).expect(201);
    const [task] = (await api.get(`/api/tasks?list_id=${list.id}`).expect(200)).body as Task[];
    expect(task.recurrence).toEqual({ rule: 'FREQ=DAILY', from: 'due' });
    // Marked done the way clients write it: STATUS and COMPLETED on the same VTODO.
    const done = vtodo('water', [...lines, 'STATUS:COMPLETED', `COMPLETED:${stamp(new Date())}`]);
    await dav.put(path, done, { 'If-Match': `"${task.version}"` }).expect(204);
    const after = (await api.get(`/api/tasks/${task.id}`).expect(200)).body as Task;
    expect(after.completed).toBe(false);
    expect(Date.parse(after.due_date!)).toBe(due.setUTCMilliseconds(0) + 86_400_000);
    expect(after.last_completed_at).not.toBeNull();
    const shown = (await dav.get(path).expect(200)).text;
    expect(shown).toContain('STATUS:NEEDS-ACTION');
    expect(shown).toContain(`DUE:${stamp(new Date(after.due_date!))}`);
    // A retry of the same write completes nothing more.
    await dav.put(path, done).expect(204);
    expect(((await api.get(`/api/tasks/${task.id}`).expect(200)).body as Task).due_date).toBe(after.due_date);
  });

  it('keeps subtasks: RELATED-TO names the parent by its UID', async () => {
    const { api, dav } = await signedIn();
    const list = await makeList(api, 'Project');
    const base = `/dav/calendars/${list.id}/`;
    await dav.put(`${base}parent.ics`, vtodo('parent-uid', ['SUMMARY:Parent'])).expect(201);
    await dav
      .put(`${base}child.ics`, vtodo('child-uid', ['SUMMARY:Child', 'RELATED-TO;RELTYPE=PARENT:parent-uid']))
      .expect(201);
    const tasks = (await api.get(`/api/tasks?list_id=${list.id}`).expect(200)).body as Task[];
    const parent = tasks.find((x) => x.title === 'Parent')!;
    expect(tasks.find((x) => x.title === 'Child')!.parent_id).toBe(parent.id);
    expect((await dav.get(`${base}child.ics`).expect(200)).text).toContain(
      'RELATED-TO;RELTYPE=PARENT:parent-uid',
    );
  });

  it('keeps a subtask written before its parent, and puts it under the parent when that comes', async () => {
    const { api, dav } = await signedIn();
    const list = await makeList(api, 'Out of order');
    const base = `/dav/calendars/${list.id}/`;
    await dav
      .put(`${base}early.ics`, vtodo('early', ['SUMMARY:Early child', 'RELATED-TO:late-parent']))
      .expect(201);
    // Until then it is a top-level task whose link is kept.
    expect((await dav.get(`${base}early.ics`).expect(200)).text).toContain('RELATED-TO:late-parent');
    await dav.put(`${base}late.ics`, vtodo('late-parent', ['SUMMARY:Late parent'])).expect(201);
    const tasks = (await api.get(`/api/tasks?list_id=${list.id}`).expect(200)).body as Task[];
    const parent = tasks.find((x) => x.title === 'Late parent')!;
    expect(tasks.find((x) => x.title === 'Early child')!.parent_id).toBe(parent.id);
  });
});

const MULTIGET = (...hrefs: string[]) =>
  `<?xml version="1.0"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>${hrefs
    .map((h) => `<d:href>${h}</d:href>`)
    .join('')}</c:calendar-multiget>`;
const PENDING_QUERY = `<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO"><c:prop-filter name="STATUS"><c:text-match negate-condition="yes">COMPLETED</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`;
const DUE_QUERY = (start: string, end: string) =>
  `<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO"><c:time-range start="${start}" end="${end}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`;
const SYNC = (token: string) =>
  `<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;

describe('reports', () => {
  it('calendar-multiget and calendar-query (completed or not, time range on DUE)', async () => {
    const { api, dav } = await signedIn();
    const list = await makeList(api, 'Reports');
    const make = async (body: Record<string, unknown>) =>
      (
        await api
          .post('/api/tasks')
          .send({ list_id: list.id, ...body })
          .expect(201)
      ).body as Task;
    const open = await make({ title: 'Open', due_date: '2026-12-10T10:00:00Z' });
    const done = await make({ title: 'Done', completed: true, due_date: '2026-12-20T10:00:00Z' });
    const base = `/dav/calendars/${list.id}/`;
    const multi = responses(
      (await dav.report(base, MULTIGET(`${base}${open.id}.ics`, `${base}missing.ics`)).expect(207)).text,
    );
    expect(found(multi.get(`${base}${open.id}.ics`)).get('calendar-data')!.text).toContain('SUMMARY:Open');
    expect(child(multi.get(`${base}missing.ics`), NS.DAV, 'status')!.text).toContain('404');
    const pending = responses((await dav.report(base, PENDING_QUERY).expect(207)).text);
    expect([...pending.keys()]).toEqual([`${base}${open.id}.ics`]);
    const december20 = responses(
      (await dav.report(base, DUE_QUERY('20261215T000000Z', '20261225T000000Z')).expect(207)).text,
    );
    expect([...december20.keys()]).toEqual([`${base}${done.id}.ics`]);
  });

  it('sync-collection: everything first, then what changed (REST writes included) and what is gone; a forged token is 403', async () => {
    const { api, dav } = await signedIn();
    const list = await makeList(api, 'Synced');
    const other = await makeList(api, 'Elsewhere');
    const base = `/dav/calendars/${list.id}/`;
    const a = (await api.post('/api/tasks').send({ title: 'A', list_id: list.id }).expect(201)).body as Task;
    const b = (await api.post('/api/tasks').send({ title: 'B', list_id: list.id }).expect(201)).body as Task;
    const tokenOf = (xml: string) => child(parseXml(xml), NS.DAV, 'sync-token')!.text;
    const first = await dav.report(base, SYNC('')).expect(207);
    expect([...responses(first.text).keys()].sort()).toEqual(
      [`${base}${a.id}.ics`, `${base}${b.id}.ics`].sort(),
    );
    const token = tokenOf(first.text);
    // Nothing new: nothing listed. A change in another list does not show here.
    await api.post('/api/tasks').send({ title: 'C', list_id: other.id }).expect(201);
    const quiet = await dav.report(base, SYNC(token)).expect(207);
    expect(responses(quiet.text).size).toBe(0);
    await api.patch(`/api/tasks/${a.id}`).send({ title: 'A2' }).expect(200);
    await api.delete(`/api/tasks/${b.id}`).expect(204);
    const next = responses((await dav.report(base, SYNC(token)).expect(207)).text);
    expect(found(next.get(`${base}${a.id}.ics`)).get('getetag')!.text).toBe('"2"');
    expect(child(next.get(`${base}${b.id}.ics`), NS.DAV, 'status')!.text).toContain('404');
    // A token of another collection, or edited, is not this collection's.
    const otherToken = tokenOf((await dav.report(`/dav/calendars/${other.id}/`, SYNC('')).expect(207)).text);
    for (const bad of [otherToken, `${token.slice(0, -2)}xx`, 'urn:x-tasks-api:sync:nope']) {
      const res = await dav.report(base, SYNC(bad));
      expect(res.status).toBe(403);
      expect(res.text).toContain('valid-sync-token');
    }
  });
});

describe('alarms (VALARM ↔ the caller’s reminders)', () => {
  type Reminder = { id: string; before_minutes?: number; at?: string };
  const alarm = (...lines: string[]) => ['BEGIN:VALARM', ...lines, 'END:VALARM'];
  const valarms = (ics: string) => ics.match(/BEGIN:VALARM[\s\S]*?END:VALARM/g) ?? [];
  const SYNC_ETAGS = (token: string) =>
    `<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>${token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`;
  const tokenOf = (xml: string) => child(parseXml(xml), NS.DAV, 'sync-token')!.text;

  it('become the writer’s reminders, come back to them as written and to nobody else; REST changes show in GET, ETag and sync-collection', async () => {
    const me = await signedIn();
    const list = await makeList(me.api, 'Alarms');
    const other = await signedIn();
    await join(list.id, other.user, 'editor');
    const uid = randomUUID();
    const path = `/dav/calendars/${list.id}/${uid}.ics`;
    const ics = vtodo(uid, [
      'SUMMARY:Call the plumber',
      'DUE:20301210T090000Z',
      // The number of the first task of a list (docs/caldav.md "Manual order"): the text stays as sent.
      `X-APPLE-SORT-ORDER:${sortOrderOf(keyBetween(null, null))}`,
      ...alarm(
        'UID:alarm-1',
        'ACTION:DISPLAY',
        'DESCRIPTION:Plumber!',
        'TRIGGER;RELATED=END:-PT15M',
        'X-MOZ-LASTACK:20301210T084500Z',
      ),
      ...alarm('ACTION:AUDIO', 'TRIGGER;VALUE=DATE-TIME:20301209T180000Z', 'ACKNOWLEDGED:20301209T180100Z'),
      // Relative to START without a DTSTART (RFC 5545 3.8.6.3: DTSTART MUST be there): kept, no reminder.
      ...alarm('ACTION:DISPLAY', 'DESCRIPTION:start', 'TRIGGER:-PT5M'),
    ]);
    const created = await me.dav.put(path, ics, { 'If-None-Match': '*' }).expect(201);
    const [task] = (await me.api.get(`/api/tasks?list_id=${list.id}`).expect(200)).body as Task[];
    const mine = (await me.api.get(`/api/tasks/${task.id}/reminders`).expect(200)).body as Reminder[];
    // Made in one write: in no particular order.
    expect(mine).toHaveLength(2);
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ before_minutes: 15 }),
        expect.objectContaining({ at: '2030-12-09T18:00:00.000Z' }),
      ]),
    );
    const relative = mine.find((r) => r.before_minutes === 15)!;
    // What the writer gets back is what they sent, byte for byte: so PUT gave its ETag.
    const got = await me.dav.get(path).expect(200);
    expect(got.text).toBe(ics.replace(/\r\n$/, ''));
    expect(created.headers.etag).toBe(got.headers.etag);
    expect(valarms(got.text)).toEqual([
      expect.stringContaining('X-MOZ-LASTACK:20301210T084500Z'),
      expect.stringContaining('ACKNOWLEDGED:20301209T180100Z'),
      expect.stringContaining('TRIGGER:-PT5M'),
    ]);
    expect(got.text).toContain('UID:alarm-1');
    // Another member sees the task without them, at the plain version ETag; the task has no reminders of theirs.
    const theirs = await other.dav.get(path).expect(200);
    expect(valarms(theirs.text)).toEqual([]);
    expect(theirs.headers.etag).toBe(`"${task.version}"`);
    expect(got.headers.etag).not.toBe(theirs.headers.etag);
    expect((await other.api.get(`/api/tasks/${task.id}/reminders`).expect(200)).body).toEqual([]);

    const base = `/dav/calendars/${list.id}/`;
    const myToken = tokenOf((await me.dav.report(base, SYNC_ETAGS('')).expect(207)).text);
    const theirToken = tokenOf((await other.dav.report(base, SYNC_ETAGS('')).expect(207)).text);

    // A REST reminder is a new VALARM (DISPLAY, the title as DESCRIPTION) on my next GET; deleting the
    // reminder a client VALARM stands for takes that VALARM away. Only my ETag and my sync move.
    await me.api.post(`/api/tasks/${task.id}/reminders`).send({ before_minutes: 60 }).expect(201);
    await me.api.delete(`/api/tasks/${task.id}/reminders/${relative.id}`).expect(204);
    const after = await me.dav.get(path).expect(200);
    expect(after.headers.etag).not.toBe(got.headers.etag);
    expect(valarms(after.text)).toEqual([
      expect.stringContaining('ACKNOWLEDGED:20301209T180100Z'),
      expect.stringContaining('TRIGGER:-PT5M'),
      expect.stringMatching(/ACTION:DISPLAY\r\nTRIGGER;RELATED=END:-PT1H\r\nDESCRIPTION:Call the plumber/),
    ]);
    const mySync = responses((await me.dav.report(base, SYNC_ETAGS(myToken)).expect(207)).text);
    expect(found(mySync.get(path)).get('getetag')!.text).toBe(after.headers.etag);
    expect(responses((await other.dav.report(base, SYNC_ETAGS(theirToken)).expect(207)).text).size).toBe(0);
    expect((await other.dav.get(path).expect(200)).headers.etag).toBe(theirs.headers.etag);
    // The collection's ctag moved for me too (clients that poll getctag).
    const ctag = async (dav: typeof me.dav) =>
      found(responses((await dav.propfind(base, PROPFIND('<cs:getctag/>')).expect(207)).text).get(base)).get(
        'getctag',
      )!.text;
    const before = await ctag(me.dav);
    await me.api.post(`/api/tasks/${task.id}/reminders`).send({ before_minutes: 5 }).expect(201);
    expect(await ctag(me.dav)).not.toBe(before);

    // An If-Match from before my reminders changed is stale.
    expectProblem(await me.dav.put(path, ics, { 'If-Match': got.headers.etag }), 412);
    await me.dav.delete(path, { 'If-Match': got.headers.etag }).expect(412);
  });

  it('replaces the writer’s reminders on each PUT, refuses more than the limit as REST does (nothing written), and without VALARMs clears them', async () => {
    const { api, dav } = await signedIn();
    const list = await makeList(api, 'Limits');
    const uid = randomUUID();
    const path = `/dav/calendars/${list.id}/${uid}.ics`;
    const due = ['SUMMARY:Pay rent', 'DUE:20301201T080000Z'];
    await dav
      .put(path, vtodo(uid, [...due, ...alarm('ACTION:DISPLAY', 'TRIGGER;RELATED=END:-PT1H')]))
      .expect(201);
    const [task] = (await api.get(`/api/tasks?list_id=${list.id}`).expect(200)).body as Task[];
    const [first] = (await api.get(`/api/tasks/${task.id}/reminders`).expect(200)).body as Reminder[];

    // The same alarm and a new one: the first reminder stays (same id), one is added.
    const two = [
      ...alarm('ACTION:DISPLAY', 'TRIGGER;RELATED=END:-PT1H'),
      ...alarm('ACTION:DISPLAY', 'TRIGGER;RELATED=END:-P1D'),
    ];
    await dav.put(path, vtodo(uid, [...due, ...two])).expect(204);
    const now = (await api.get(`/api/tasks/${task.id}/reminders`).expect(200)).body as Reminder[];
    expect(now).toEqual([first, expect.objectContaining({ before_minutes: 1440 })]);

    // Eleven: 403 as POST .../reminders answers at the limit, and neither the edit nor a reminder is written.
    const eleven = Array.from({ length: 11 }, (_, i) =>
      alarm('ACTION:DISPLAY', `TRIGGER;RELATED=END:-PT${i + 1}M`),
    ).flat();
    const refused = await dav.put(
      path,
      vtodo(uid, ['SUMMARY:Pay rent today', 'DUE:20301201T080000Z', ...eleven]),
    );
    expectProblem(refused, 403);
    expect(refused.body).toEqual(expect.objectContaining({ title: 'Reminder limit reached' }));
    expect((await api.get(`/api/tasks/${task.id}`).expect(200)).body).toEqual(
      expect.objectContaining({ title: 'Pay rent', version: task.version + 1 }),
    );
    expect((await api.get(`/api/tasks/${task.id}/reminders`).expect(200)).body).toEqual(now);

    // A PUT without VALARMs: the writer has no reminders on the task any more.
    await dav.put(path, vtodo(uid, due)).expect(204);
    expect((await api.get(`/api/tasks/${task.id}/reminders`).expect(200)).body).toEqual([]);
    expect(valarms((await dav.get(path).expect(200)).text)).toEqual([]);
  });
});
