import type { ListDto } from '../src/lists/dto/list.dto.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { as, useTestApp } from './helpers/app.js';
import { appPassword, davClient } from './helpers/dav.js';
import { newUser } from './helpers/tokens.js';

/**
 * X-APPLE-SORT-ORDER ↔ the manual order (contract "Native clients (CalDAV)", Mapping; docs/caldav.md
 * "Manual order"): rendered from each task's own position.
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
  return { api, list, make, read };
}

/** Titles under `parent` (none: the top level) of list `list`, in manual order (REST `sort=position`). */
const order = async (api: Api, list: string, parent = 'none'): Promise<string[]> =>
  (
    (await api.get(`/api/tasks?list_id=${list}&parent_id=${parent}&sort=position&limit=100`).expect(200))
      .body as Task[]
  ).map((x) => x.title);

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
