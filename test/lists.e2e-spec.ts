import { Database } from '../src/database/database.js';
import type { ListDto } from '../src/lists/dto/list.dto.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { membership } from './helpers/members.js';
import { as, expectProblem, fieldsOf, listAll, useTestApp } from './helpers/app.js';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { SseClient } from './helpers/sse.js';
import { newUser, tokenFor } from './helpers/tokens.js';

const t = useTestApp({ MAX_LISTS_PER_USER: '4' });
const { join } = membership((text, values) => t.db.query(text, values));
type Api = ReturnType<typeof as>;

const inboxOf = async (api: Api): Promise<ListDto> => (await api.get('/api/lists').expect(200)).body[0];
const makeList = async (api: Api, name: string, color?: string): Promise<ListDto> =>
  (await api.post('/api/lists').send({ name, color }).expect(201)).body;
const makeTask = async (api: Api, body: Record<string, unknown>): Promise<Task> =>
  (await api.post('/api/tasks').send(body).expect(201)).body;
/** Makes `user` a member of `list` with `role`, directly in SQL (invitations come later). */

describe('the inbox', () => {
  it('is made on the first request, first in GET /api/lists, and holds tasks created without list_id', async () => {
    const api = as(t.app, newUser());
    const lists: ListDto[] = (await api.get('/api/lists').expect(200)).body;
    expect(lists).toEqual([
      expect.objectContaining({ name: 'Inbox', is_inbox: true, role: 'owner', member_count: 1, version: 1 }),
    ]);
    const task = await makeTask(api, { title: 'x' });
    expect(task.list_id).toBe(lists[0].id);
  });

  it('is made once, also under concurrent first requests of every kind', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, () => api.get('/api/lists')),
      ...Array.from({ length: 6 }, (_, i) => api.post('/api/tasks').send({ title: `t${i}` })),
      ...Array.from({ length: 3 }, () => api.delete('/api/tasks?status=completed')),
    ]);
    expect(answers.map((r) => r.status)).toEqual([
      ...Array(6).fill(200),
      ...Array(6).fill(201),
      ...Array(3).fill(200),
    ]);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM lists WHERE owner_id = $1 AND is_inbox`,
      [user],
    );
    expect(n).toBe(1);
    const inbox = await inboxOf(api);
    expect(new Set(answers.slice(6, 12).map((r) => r.body.list_id))).toEqual(new Set([inbox.id]));
  });

  it('the database refuses a second inbox behind the app’s back', async () => {
    const user = newUser();
    await inboxOf(as(t.app, user));
    await expect(
      t.db.query(`INSERT INTO lists (owner_id, name, is_inbox) VALUES ($1, 'Other', true)`, [user]),
    ).rejects.toThrow(/ux_lists_inbox/);
  });

  it('can be renamed, not deleted', async () => {
    const api = as(t.app, newUser());
    const inbox = await inboxOf(api);
    const renamed = await api.patch(`/api/lists/${inbox.id}`).send({ name: 'Mine' }).expect(200);
    expect(renamed.body).toMatchObject({ name: 'Mine', is_inbox: true, version: 2 });
    const res = await api.delete(`/api/lists/${inbox.id}`);
    expectProblem(res, 400);
    expect(res.body.detail).toBe('The inbox cannot be deleted');
    await api.get(`/api/lists/${inbox.id}`).expect(200);
  });
});

describe('/api/lists', () => {
  it('creates with Location and ETag, lists inbox first then by creation, reads one with 304', async () => {
    const api = as(t.app, newUser());
    const a = await api.post('/api/lists').send({ name: '  Groceries  ', color: '#AABBCC' }).expect(201);
    expect(a.headers.location).toBe(`/api/lists/${a.body.id}`);
    expect(a.headers.etag).toBe('"1"');
    expect(a.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Groceries',
      color: '#aabbcc',
      is_inbox: false,
      owner_id: expect.any(String),
      role: 'owner',
      member_count: 1,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      version: 1,
    });
    const b = await makeList(api, 'Work');
    const names = (await api.get('/api/lists').expect(200)).body.map((l: ListDto) => l.name);
    expect(names).toEqual(['Inbox', 'Groceries', 'Work']);
    const one = await api.get(`/api/lists/${b.id}`).expect(200);
    expect(one.body).toEqual(b);
    await api.get(`/api/lists/${b.id}`).set('If-None-Match', '"1"').expect(304);
  });

  it('validates name and color, naming the fields', async () => {
    const api = as(t.app, newUser());
    for (const [body, fields] of [
      [{ name: '   ' }, ['name']],
      [{ name: 'x'.repeat(101) }, ['name']],
      [{ name: 'ok', color: 'red' }, ['color']],
      [{ name: 'ok', color: '#12345' }, ['color']],
      [{}, ['name']],
      [{ name: 'ok', owner_id: 'me' }, ['owner_id']],
    ] as const) {
      const res = await api.post('/api/lists').send(body);
      expectProblem(res, 400);
      expect(fieldsOf(res)).toEqual(fields);
    }
    const list = await makeList(api, 'ok', '#000000');
    expect(fieldsOf(await api.patch(`/api/lists/${list.id}`).send({ name: null }))).toEqual(['name']);
    const cleared = await api.patch(`/api/lists/${list.id}`).send({ color: null }).expect(200);
    expect(cleared.body).toMatchObject({ name: 'ok', color: null });
    expectProblem(await api.get('/api/lists/not-a-uuid'), 400);
  });

  it('honours If-Match on PATCH and DELETE', async () => {
    const api = as(t.app, newUser());
    const list = await makeList(api, 'v');
    const stale = await api.patch(`/api/lists/${list.id}`).set('If-Match', '"7"').send({ name: 'w' });
    expectProblem(stale, 412);
    expect(stale.headers.etag).toBe('"1"');
    await api.patch(`/api/lists/${list.id}`).set('If-Match', '"1"').send({ name: 'w' }).expect(200);
    expectProblem(await api.delete(`/api/lists/${list.id}`).set('If-Match', '"1"'), 412);
    await api.delete(`/api/lists/${list.id}`).set('If-Match', '"2"').expect(204);
    expectProblem(await api.get(`/api/lists/${list.id}`), 404);
  });

  it('DELETE deletes the list’s tasks, and sync reports the list deleted (its tasks go with it)', async () => {
    const api = as(t.app, newUser());
    const list = await makeList(api, 'doomed');
    const parent = await makeTask(api, { title: 'p', list_id: list.id });
    const sub = await makeTask(api, { title: 's', list_id: list.id, parent_id: parent.id });
    const kept = await makeTask(api, { title: 'kept' });
    const token = (await api.get('/api/tasks/changes').expect(200)).body.sync_token;
    await api.delete(`/api/lists/${list.id}`).expect(204);
    expectProblem(await api.get(`/api/tasks/${parent.id}`), 404);
    expectProblem(await api.get(`/api/tasks/${sub.id}`), 404);
    expect((await listAll(api)).map((x) => x.id)).toEqual([kept.id]);
    // One entry for the list: a client drops every task of it (contract "Lists and sharing", Sync).
    const { changes, lists } = (await api.get(`/api/tasks/changes?since=${token}`).expect(200)).body;
    expect({ changes, lists }).toEqual({ changes: [], lists: [{ id: list.id, deleted: true }] });
  });

  it('MAX_LISTS_PER_USER (4 here, the inbox included): beyond, 403 "List limit reached" and nothing made', async () => {
    const user = newUser();
    const api = as(t.app, user);
    await inboxOf(api);
    const made = await Promise.all(
      Array.from({ length: 5 }, (_, i) => api.post('/api/lists').send({ name: `l${i}` })),
    );
    expect(made.map((r) => r.status).sort()).toEqual([201, 201, 201, 403, 403]);
    const refused = made.find((r) => r.status === 403)!;
    expectProblem(refused, 403);
    expect(refused.body.title).toBe('List limit reached');
    const [{ n }] = await t.db.query('SELECT count(*)::int AS n FROM lists WHERE owner_id = $1', [user]);
    expect(n).toBe(4);
    // Membership of other people's lists does not count.
    const other = as(t.app, newUser());
    await join((await makeList(other, 'theirs')).id, user, 'editor');
    expect((await api.get('/api/lists').expect(200)).body).toHaveLength(5);
  });
});

describe('roles', () => {
  async function shared() {
    const ownerId = newUser('owner');
    const editorId = newUser('editor');
    const viewerId = newUser('viewer');
    const owner = as(t.app, ownerId);
    const list = await makeList(owner, 'Shared');
    await join(list.id, editorId, 'editor');
    await join(list.id, viewerId, 'viewer');
    const task = await makeTask(owner, { title: 'shared task', list_id: list.id });
    return {
      list,
      task,
      owner,
      editor: as(t.app, editorId),
      viewer: as(t.app, viewerId),
      stranger: as(t.app, newUser('stranger')),
      editorId,
    };
  }

  it('a member sees the list with their role and member_count; a non-member gets 404 exactly like an unknown id', async () => {
    const { list, viewer, stranger } = await shared();
    const seen = (await viewer.get(`/api/lists/${list.id}`).expect(200)).body;
    expect(seen).toMatchObject({ id: list.id, role: 'viewer', member_count: 3, owner_id: list.owner_id });
    expect((await viewer.get('/api/lists').expect(200)).body.map((l: ListDto) => l.id)).toContain(list.id);
    const foreign = await stranger.get(`/api/lists/${list.id}`);
    const unknown = await stranger.get('/api/lists/00000000-0000-4000-8000-000000000000');
    expectProblem(foreign, 404);
    expect([foreign.status, foreign.body.detail]).toEqual([unknown.status, unknown.body.detail]);
    for (const res of [
      await stranger.patch(`/api/lists/${list.id}`).send({ name: 'x' }),
      await stranger.delete(`/api/lists/${list.id}`),
      await stranger.get(`/api/tasks?list_id=${list.id}`),
      await stranger.get(`/api/tasks/stats?list_id=${list.id}`),
      await stranger.delete(`/api/tasks?status=completed&list_id=${list.id}`),
      await stranger.post('/api/tasks').send({ title: 'in', list_id: list.id }),
    ])
      expectProblem(res, 404);
    expect((await stranger.get('/api/lists').expect(200)).body.map((l: ListDto) => l.id)).not.toContain(
      list.id,
    );
  });

  it('only the owner renames and deletes: 403 "Only the owner can do this" for the others', async () => {
    const { list, editor, viewer, owner } = await shared();
    for (const api of [editor, viewer]) {
      for (const res of [
        await api.patch(`/api/lists/${list.id}`).send({ name: 'mine now' }),
        await api.delete(`/api/lists/${list.id}`),
      ]) {
        expectProblem(res, 403);
        expect(res.body.title).toBe('Only the owner can do this');
      }
    }
    expect((await owner.get(`/api/lists/${list.id}`).expect(200)).body).toMatchObject({
      name: 'Shared',
      version: 1,
    });
  });

  it('an editor writes the list’s tasks; user_id stays each task’s creator', async () => {
    const { list, task, editor, editorId, owner } = await shared();
    const made = await makeTask(editor, { title: 'by editor', list_id: list.id });
    expect(made).toMatchObject({ user_id: editorId, list_id: list.id });
    await editor.patch(`/api/tasks/${task.id}`).send({ title: 'edited' }).expect(200);
    await editor.patch(`/api/tasks/${task.id}/complete`).expect(200);
    await editor.post(`/api/tasks/${made.id}/move`).send({ after: task.id }).expect(200);
    const listed = await listAll(owner, `/api/tasks?list_id=${list.id}&sort=position`);
    expect(listed.map((x) => x.title)).toEqual(['edited', 'by editor']);
    expect((await editor.delete(`/api/tasks?status=completed&list_id=${list.id}`).expect(200)).body).toEqual({
      deleted: 1,
    });
    await editor.delete(`/api/tasks/${made.id}`).expect(204);
  });

  it('a viewer reads but every write is 403 "Read-only list", and nothing changes', async () => {
    const { list, task, viewer, owner } = await shared();
    await viewer.get(`/api/tasks/${task.id}`).expect(200);
    expect((await listAll(viewer, `/api/tasks?list_id=${list.id}`)).map((x) => x.id)).toEqual([task.id]);
    expect((await viewer.get(`/api/tasks/stats?list_id=${list.id}`).expect(200)).body.total).toBe(1);
    const writes = [
      await viewer.post('/api/tasks').send({ title: 'no', list_id: list.id }),
      await viewer.post('/api/tasks').send({ title: 'no', list_id: list.id, parent_id: task.id }),
      await viewer.put(`/api/tasks/${task.id}`).send({ title: 'no' }),
      await viewer.patch(`/api/tasks/${task.id}`).send({ title: 'no' }),
      // Even a write of nothing.
      await viewer.patch(`/api/tasks/${task.id}`).send({}),
      await viewer.patch(`/api/tasks/${task.id}/complete`),
      await viewer.patch(`/api/tasks/${task.id}/complete`).set('If-Match', '"9"').send({ completed: true }),
      await viewer.post(`/api/tasks/${task.id}/move`).send({}),
      await viewer.delete(`/api/tasks/${task.id}`),
      await viewer.delete(`/api/tasks?status=completed&list_id=${list.id}`),
    ];
    for (const res of writes) {
      expectProblem(res, 403);
      expect(res.body.title).toBe('Read-only list');
    }
    const batch = await viewer.post('/api/tasks/batch').send({
      commands: [
        { op: 'create', data: { title: 'no', list_id: list.id } },
        { op: 'update', task_id: task.id, data: { title: 'no' } },
        { op: 'delete', task_id: task.id },
      ],
    });
    expect(batch.body.results.map((r: { status: number }) => r.status)).toEqual([403, 403, 403]);
    expect(await listAll(owner, `/api/tasks?list_id=${list.id}`)).toEqual([task]);
  });

  it('a non-member gets 404 for each of the list’s tasks, through every route and batch', async () => {
    const { task, stranger, owner } = await shared();
    const path = `/api/tasks/${task.id}`;
    for (const res of [
      await stranger.get(path),
      await stranger.patch(path).send({ title: 'x' }),
      await stranger.patch(`${path}/complete`),
      await stranger.post(`${path}/move`).send({}),
      await stranger.delete(path),
    ])
      expectProblem(res, 404);
    const batch = await stranger.post('/api/tasks/batch').send({
      commands: [
        { op: 'update', task_id: task.id, data: { title: 'x' } },
        { op: 'move', task_id: task.id, data: {} },
      ],
    });
    expect(batch.body.results.map((r: { status: number }) => r.status)).toEqual([404, 404]);
    expect((await stranger.get('/api/tasks').expect(200)).body).toEqual([]);
    expect((await owner.get(path).expect(200)).body).toEqual(task);
  });

  it('listing without list_id shows every list the caller is in; with list_id only that list', async () => {
    const { list, task, editor } = await shared();
    const own = await makeTask(editor, { title: 'own inbox task' });
    const all = await editor.get('/api/tasks').expect(200);
    expect(all.body.map((x: Task) => x.id).sort()).toEqual([task.id, own.id].sort());
    expect(all.headers['x-total-count']).toBe('2');
    expect((await editor.get('/api/tasks/stats').expect(200)).body.total).toBe(2);
    const inList = await editor.get(`/api/tasks?list_id=${list.id}`).expect(200);
    expect(inList.body.map((x: Task) => x.id)).toEqual([task.id]);
    expect(inList.headers['x-total-count']).toBe('1');
  });

  it('a parent must be in the task’s list; without a list_id, a subtask goes into its parent’s', async () => {
    const { list, task, owner } = await shared();
    const inbox = await inboxOf(owner);
    const res = await owner
      .post('/api/tasks')
      .send({ title: 'sub in inbox', parent_id: task.id, list_id: inbox.id });
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['parent_id']);
    await owner.post('/api/tasks').send({ title: 'sub', parent_id: task.id, list_id: list.id }).expect(201);
    const sub = await makeTask(owner, { title: 'sub, list from its parent', parent_id: task.id });
    expect(sub.list_id).toBe(list.id);
  });
});

describe('the users directory', () => {
  const withClaims = (sub: string, claims: Record<string, unknown>) =>
    request(t.app.getHttpServer() as App)
      .get('/api/lists')
      .set('Authorization', `Bearer ${tokenFor(sub, claims)}`)
      .expect(200);
  const row = async (sub: string) =>
    (await t.db.query('SELECT email, name, xmin::text AS xmin FROM users WHERE id = $1', [sub]))[0];

  it('learns email and name from the token, writes nothing while they stay, once when they change', async () => {
    const sub = newUser();
    await withClaims(sub, { email: 'ann@example.com', name: 'Ann' });
    const first = await row(sub);
    expect(first).toMatchObject({ email: 'ann@example.com', name: 'Ann' });
    await withClaims(sub, { email: 'ann@example.com', name: 'Ann' });
    // The same row version: no write at all (xmin is the transaction that wrote the row).
    expect((await row(sub)).xmin).toBe(first.xmin);
    await withClaims(sub, { email: 'ann@example.com', name: 'Ann B.' });
    expect(await row(sub)).toMatchObject({ email: 'ann@example.com', name: 'Ann B.' });
    await withClaims(sub, {});
    expect(await row(sub)).toMatchObject({ email: null, name: null });
  });
});

describe('announcements of list changes (after COMMIT: live streams look again, reads go to the primary)', () => {
  /** Every user announced (Database.onWrite), in order, since the app started. */
  const heard: string[] = [];
  let base = '';
  beforeAll(async () => {
    t.app.get(Database).onWrite((user) => heard.push(user));
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
  });
  /** How often each of `users` was announced while `work` ran. */
  const announced = async (users: string[], work: () => Promise<unknown>) => {
    const from = heard.length;
    await work();
    return users.map((u) => heard.slice(from).filter((h) => h === u).length);
  };
  const shared = async () => {
    const owner = newUser();
    const member = newUser();
    const list = await makeList(as(t.app, owner), 'shared');
    await join(list.id, member, 'editor');
    return { owner, member, list, api: as(t.app, owner) };
  };

  it('a list update, a role change, a removal and a deletion announce the owner and the member once each', async () => {
    const { owner, member, list, api } = await shared();
    const writes = [
      () => api.patch(`/api/lists/${list.id}`).send({ name: 'renamed' }).expect(200),
      () => api.patch(`/api/lists/${list.id}/members/${member}`).send({ role: 'viewer' }).expect(200),
      () => api.delete(`/api/lists/${list.id}/members/${member}`).expect(204),
    ];
    for (const write of writes) expect(await announced([owner, member], write)).toEqual([1, 1]);
    await join(list.id, member, 'editor');
    expect(await announced([owner, member], () => api.delete(`/api/lists/${list.id}`).expect(204))).toEqual([
      1, 1,
    ]);
  });

  it('the inbox made on first use is announced: the user’s open stream gets it as event: list', async () => {
    const user = newUser();
    const stream = await SseClient.open(`${base}/api/tasks/events`, user);
    try {
      expect(stream.status).toBe(200);
      let inbox: ListDto | undefined;
      expect(await announced([user], async () => (inbox = await inboxOf(as(t.app, user))))).toEqual([1]);
      await stream.until((c) =>
        c.events.some((e) => e.event === 'list' && JSON.parse(e.data).id === inbox!.id),
      );
      // Made once: the next GET finds it and announces nothing.
      expect(await announced([user], () => inboxOf(as(t.app, user)))).toEqual([0]);
    } finally {
      stream.close();
    }
  });
});
