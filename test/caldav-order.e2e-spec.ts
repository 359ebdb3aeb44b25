import type { ListDto } from '../src/lists/dto/list.dto.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { as, useTestApp } from './helpers/app.js';
import { appPassword, davClient, vtodo } from './helpers/dav.js';
import { newUser } from './helpers/tokens.js';

/**
 * X-APPLE-SORT-ORDER ↔ the manual order (contract "Native clients (CalDAV)", Mapping; docs/caldav.md
 * "Manual order"): rendered from each task's own position, a client's other number a move among
 * the task's siblings.
 */
const t = useTestApp();

type Api = ReturnType<typeof as>;

async function signedIn() {
  const user = newUser();
  const password = await appPassword(t.app, user);
  const api = as(t.app, user);
  const list = (await api.post('/api/lists').send({ name: 'Ordered' }).expect(201)).body as ListDto;
  const dav = davClient(t.app, user, password);
  const path = (id: string) => `/dav/calendars/${list.id}/${id}.ics`;
  /** A task made through REST (after `after`, under `parent`). */
  const make = async (title: string, after: Task | null = null, parent?: Task): Promise<Task> =>
    (
      await api
        .post('/api/tasks')
        .send({ title, list_id: list.id, after: after?.id ?? null, parent_id: parent?.id })
        .expect(201)
    ).body as Task;
  /** The resource of task `id`: its text, ETag and X-APPLE-SORT-ORDER. */
  const read = async (id: string) => {
    const res = await dav.get(path(id)).expect(200);
    const orders = [...res.text.matchAll(/^X-APPLE-SORT-ORDER:(\d+)\r$/gm)].map((m) => BigInt(m[1]));
    expect(orders).toHaveLength(1);
    return { ics: res.text, etag: res.headers.etag, order: orders[0] };
  };
  return { api, dav, list, path, make, read };
}

/** Titles under `parent` (none: the top level) of list `list`, in manual order (REST `sort=position`). */
const order = async (api: Api, list: string, parent = 'none'): Promise<string[]> =>
  (
    (await api.get(`/api/tasks?list_id=${list}&parent_id=${parent}&sort=position&limit=100`).expect(200))
      .body as Task[]
  ).map((x) => x.title);

const withOrder = (ics: string, n: bigint | null) =>
  ics.replace(/^X-APPLE-SORT-ORDER:\d+\r\n/m, n === null ? '' : `X-APPLE-SORT-ORDER:${n}\r\n`);
/** A number between two, off their midpoint (where the key a move makes maps to: keyBetween halves the gap). */
const between = (a: bigint, b: bigint) => a + (b - a) / 3n;

describe('rendering', () => {
  it('gives each VTODO a number that sorts as the REST manual order, and changes only with the task’s own ETag', async () => {
    const { api, list, make, read } = await signedIn();
    const a = await make('a');
    const c = await make('c', a);
    const b = await make('b', a);
    const d = await make('d', c);
    const tasks = { a, b, c, d };
    const rest = await order(api, list.id);
    expect(rest).toEqual(['a', 'b', 'c', 'd']);
    const before = Object.fromEntries(
      await Promise.all(Object.entries(tasks).map(async ([k, task]) => [k, await read(task.id)] as const)),
    );
    const byNumber = Object.keys(tasks).sort((x, y) => (before[x].order < before[y].order ? -1 : 1));
    expect(byNumber).toEqual(rest);
    // A REST move: that task's number and ETag change; every other resource stays exactly as it was.
    await api.post(`/api/tasks/${d.id}/move`).send({ after: a.id }).expect(200);
    expect(await order(api, list.id)).toEqual(['a', 'd', 'b', 'c']);
    const moved = await read(d.id);
    expect(moved.etag).not.toBe(before.d.etag);
    expect(moved.order > before.a.order && moved.order < before.b.order).toBe(true);
    for (const k of ['a', 'b', 'c']) expect(await read(tasks[k as 'a'].id)).toEqual(before[k]);
  });

  it('numbers subtasks among their own siblings', async () => {
    const { api, list, make, read } = await signedIn();
    const p = await make('p');
    const s1 = await make('s1', null, p);
    const s3 = await make('s3', s1, p);
    const s2 = await make('s2', s1, p);
    expect(await order(api, list.id, p.id)).toEqual(['s1', 's2', 's3']);
    const n = await Promise.all([s1, s2, s3].map(async (s) => (await read(s.id)).order));
    expect(n[0] < n[1] && n[1] < n[2]).toBe(true);
  });
});

describe('writing', () => {
  it('moves a task to where a client’s number between two siblings’ puts it (REST sees it), through a move', async () => {
    const { api, dav, list, path, make, read } = await signedIn();
    const a = await make('a');
    const b = await make('b', a);
    const c = await make('c', b);
    const d = await make('d', c);
    const [na, nb, got] = [await read(a.id), await read(b.id), await read(d.id)];
    const res = await dav
      .put(path(d.id), withOrder(got.ics, between(na.order, nb.order)), { 'If-Match': got.etag })
      .expect(204);
    expect(await order(api, list.id)).toEqual(['a', 'd', 'b', 'c']);
    // The number is ours again (from the new position), so the client reads it back: no ETag given.
    expect(res.headers.etag).toBeUndefined();
    const after = await read(d.id);
    expect(after.order > na.order && after.order < nb.order).toBe(true);
    expect(after.order).not.toBe(between(na.order, nb.order));
    // Placed like a REST move: the listing's version moved once for the edit and once for the move.
    const task = (await api.get(`/api/tasks/${d.id}`).expect(200)).body as Task;
    expect(task.version).toBe(d.version + 2);
    // To the end, and before everything.
    const [nc] = [await read(c.id)];
    await dav.put(path(a.id), withOrder((await read(a.id)).ics, nc.order + 1n)).expect(204);
    expect(await order(api, list.id)).toEqual(['d', 'b', 'c', 'a']);
    await dav.put(path(c.id), withOrder((await read(c.id)).ics, 1n)).expect(204);
    expect(await order(api, list.id)).toEqual(['c', 'd', 'b', 'a']);
  });

  it('does not move a task for a PUT with the number it was given, without one, or with an older one of ours', async () => {
    const { api, dav, list, path, make, read } = await signedIn();
    const a = await make('a');
    const b = await make('b', a);
    await make('c', b);
    const got = await read(b.id);
    await dav
      .put(path(b.id), got.ics.replace('SUMMARY:b', 'SUMMARY:b2'), { 'If-Match': got.etag })
      .expect(204);
    await dav
      .put(path(b.id), withOrder((await read(b.id)).ics, null).replace('SUMMARY:b2', 'SUMMARY:b3'))
      .expect(204);
    expect(await order(api, list.id)).toEqual(['a', 'b3', 'c']);
    // A client behind: a REST move it has not seen, then its edit with the number it had. The move stays.
    const stale = await read(b.id);
    await api.post(`/api/tasks/${b.id}/move`).send({ after: null }).expect(200);
    await dav.put(path(b.id), stale.ics.replace('SUMMARY:b3', 'SUMMARY:b4')).expect(204);
    expect(await order(api, list.id)).toEqual(['b4', 'a', 'c']);
  });

  it('serves ours for a text stored with a client’s own number, and that number does not move the task', async () => {
    const { api, dav, list, make } = await signedIn();
    const a = await make('a');
    const path = `/dav/calendars/${list.id}/apple.ics`;
    await dav.put(path, vtodo('apple', ['SUMMARY:b'])).expect(201);
    await api.post(`/api/tasks/${a.id}/move`).send({ after: null }).expect(200);
    expect(await order(api, list.id)).toEqual(['a', 'b']);
    // As stored before the number was ours: the client's own value in the text of the current version.
    const own = 'X-APPLE-SORT-ORDER:545683380';
    await t.db.query(
      `UPDATE dav_resources SET ics = regexp_replace(ics, 'X-APPLE-SORT-ORDER:[0-9]+', $2) WHERE name = $1`,
      ['apple.ics', own],
    );
    const got = (await dav.get(path).expect(200)).text;
    expect(got).not.toContain(own);
    expect(got).toMatch(/^X-APPLE-SORT-ORDER:\d+\r$/m);
    // The client edits with the number it has (below all of ours): an edit, not a move.
    await dav.put(path, vtodo('apple', ['SUMMARY:b2', own])).expect(204);
    expect(await order(api, list.id)).toEqual(['a', 'b2']);
  });

  it('moves a subtask among its own siblings only', async () => {
    const { api, dav, list, path, make, read } = await signedIn();
    const p = await make('p');
    const q = await make('q', p);
    const s1 = await make('s1', null, p);
    const s2 = await make('s2', s1, p);
    const s3 = await make('s3', s2, p);
    const [n1, n2] = [(await read(s1.id)).order, (await read(s2.id)).order];
    await dav.put(path(s3.id), withOrder((await read(s3.id)).ics, between(n1, n2))).expect(204);
    expect(await order(api, list.id, p.id)).toEqual(['s1', 's3', 's2']);
    expect(await order(api, list.id)).toEqual(['p', 'q']);
    // A number below the top level's first is still among the subtasks: first of them.
    await dav.put(path(s2.id), withOrder((await read(s2.id)).ics, 1n)).expect(204);
    expect(await order(api, list.id, p.id)).toEqual(['s2', 's1', 's3']);
    expect(await order(api, list.id)).toEqual(['p', 'q']);
    void q;
  });

  it('keeps the order of subtasks written before their parent', async () => {
    const { api, dav, list } = await signedIn();
    const base = `/dav/calendars/${list.id}/`;
    const sub = (uid: string, n: bigint) =>
      vtodo(uid, [`SUMMARY:${uid}`, 'RELATED-TO:p', `X-APPLE-SORT-ORDER:${n}`]);
    await dav.put(`${base}a.ics`, sub('a', 1000n)).expect(201);
    // Above every number of ours: last.
    await dav.put(`${base}b.ics`, sub('b', 62n ** 10n + 1n)).expect(201);
    expect(await order(api, list.id)).toEqual(['a', 'b']);
    await dav.put(`${base}p.ics`, vtodo('p', ['SUMMARY:p'])).expect(201);
    const [p] = (await api.get(`/api/tasks?list_id=${list.id}&parent_id=none`).expect(200)).body as Task[];
    expect(await order(api, list.id, p.id)).toEqual(['a', 'b']);
  });

  it('places a new task by its number, and renders ours for it', async () => {
    const { api, dav, list, make, read } = await signedIn();
    const a = await make('a');
    const b = await make('b', a);
    const n = between((await read(a.id)).order, (await read(b.id)).order);
    const path = `/dav/calendars/${list.id}/new-one.ics`;
    await dav
      .put(path, vtodo('new-one', ['SUMMARY:n', `X-APPLE-SORT-ORDER:${n}`]), { 'If-None-Match': '*' })
      .expect(201);
    expect(await order(api, list.id)).toEqual(['a', 'n', 'b']);
    const got = (await dav.get(path).expect(200)).text;
    expect(got).not.toContain(`X-APPLE-SORT-ORDER:${n}\r`);
    expect(got).toMatch(/^X-APPLE-SORT-ORDER:\d+\r$/m);
  });
});
