import type { ListDto } from '../src/lists/dto/list.dto.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { as, expectProblem, fieldsOf, listAll, useTestApp } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

/** Tasks in lists (#29): assignees, and the gaps review found. */
const MAX_TASKS = 6;
const t = useTestApp({ MAX_TASKS_PER_USER: String(MAX_TASKS) });
type Api = ReturnType<typeof as>;

const makeList = async (api: Api, name: string): Promise<ListDto> =>
  (await api.post('/api/lists').send({ name }).expect(201)).body;
const makeTask = async (api: Api, body: Record<string, unknown>): Promise<Task> =>
  (await api.post('/api/tasks').send(body).expect(201)).body;
/** Makes `user` a member of `list` with `role`, directly in SQL (the member routes are another branch's). */
const join = (list: string, user: string, role: 'editor' | 'viewer') =>
  t.db.query('INSERT INTO list_members (list_id, user_id, role) VALUES ($1, $2, $3)', [list, user, role]);
/** A member leaves (or is removed), as the member routes do it: their row goes. */
const leave = (list: string, user: string) =>
  t.db.query('DELETE FROM list_members WHERE list_id = $1 AND user_id = $2', [list, user]);
const row = async (id: string): Promise<Task & { owner_id: string }> =>
  (await t.db.query(`SELECT * FROM tasks WHERE id = $1`, [id]))[0];
const ids = (tasks: Task[]) => tasks.map((x) => x.id).sort();

/** An owner's list shared with an editor and a viewer, one task in it. */
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
    ownerId,
    editor: as(t.app, editorId),
    editorId,
    viewer: as(t.app, viewerId),
    viewerId,
    strangerId: newUser('stranger'),
    stranger: as(t.app, newUser('stranger')),
  };
}

describe('assignee_id', () => {
  it('is null by default; any member may be assigned on create, PUT and PATCH; null and PUT without it clear it', async () => {
    const { list, task, editor, viewerId, ownerId } = await shared();
    expect(task.assignee_id).toBeNull();
    const made = await makeTask(editor, { title: 'for the viewer', list_id: list.id, assignee_id: viewerId });
    expect(made.assignee_id).toBe(viewerId);
    const patched = await editor.patch(`/api/tasks/${task.id}`).send({ assignee_id: ownerId }).expect(200);
    expect(patched.body).toMatchObject({ assignee_id: ownerId, version: 2 });
    await editor.patch(`/api/tasks/${task.id}`).send({ assignee_id: null }).expect(200);
    expect((await row(task.id)).assignee_id).toBeNull();
    const put = await editor.put(`/api/tasks/${made.id}`).send({ title: 'replaced' }).expect(200);
    expect(put.body.assignee_id).toBeNull();
    const putWith = await editor
      .put(`/api/tasks/${made.id}`)
      .send({ title: 'replaced', assignee_id: viewerId })
      .expect(200);
    expect(putWith.body.assignee_id).toBe(viewerId);
  });

  it('you may assign yourself in your inbox (made on that very create)', async () => {
    const user = newUser();
    const task = await makeTask(as(t.app, user), { title: 'mine', assignee_id: user });
    expect(task.assignee_id).toBe(user);
  });

  it('someone who is not a member of the task’s list is 400 naming assignee_id, and nothing changes', async () => {
    const { list, task, owner, editor, strangerId } = await shared();
    const placed = await makeTask(owner, { title: 'second', list_id: list.id });
    for (const res of [
      await editor.post('/api/tasks').send({ title: 'x', list_id: list.id, assignee_id: strangerId }),
      // The locked path of a create (a placement), too.
      await editor
        .post('/api/tasks')
        .send({ title: 'x', list_id: list.id, after: placed.id, assignee_id: strangerId }),
      await editor.patch(`/api/tasks/${task.id}`).send({ title: 'changed', assignee_id: strangerId }),
      await editor.put(`/api/tasks/${task.id}`).send({ title: 'changed', assignee_id: strangerId }),
      // A member of another list the caller is in is not a member of this one either.
      await owner.post('/api/tasks').send({ title: 'inbox', assignee_id: strangerId }),
    ]) {
      expectProblem(res, 400);
      expect(fieldsOf(res)).toEqual(['assignee_id']);
    }
    expect(await listAll(owner, `/api/tasks?list_id=${list.id}`)).toHaveLength(2);
    expect((await owner.get(`/api/tasks/${task.id}`).expect(200)).body).toEqual(task);
  });

  it('on a recurring task too (the careful path)', async () => {
    const { list, owner, editorId, strangerId } = await shared();
    const recurring = await makeTask(owner, {
      title: 'weekly',
      list_id: list.id,
      due_date: '2030-01-07T09:00:00Z',
      recurrence: { rule: 'FREQ=WEEKLY' },
    });
    const bad = await owner
      .patch(`/api/tasks/${recurring.id}`)
      .send({ assignee_id: strangerId, due_date: '2030-01-08T09:00:00Z' });
    expectProblem(bad, 400);
    expect(fieldsOf(bad)).toEqual(['assignee_id']);
    const good = await owner
      .patch(`/api/tasks/${recurring.id}`)
      .send({ assignee_id: editorId, due_date: '2030-01-08T09:00:00Z' })
      .expect(200);
    expect(good.body).toMatchObject({ assignee_id: editorId, due_date: '2030-01-08T09:00:00.000Z' });
  });

  it('is validated as a string of 1–255 characters', async () => {
    const api = as(t.app, newUser());
    for (const value of [42, '', 'x'.repeat(256), ['a'], 'a\u0000b']) {
      const res = await api.post('/api/tasks').send({ title: 'x', assignee_id: value });
      expectProblem(res, 400);
      expect(fieldsOf(res)).toEqual(['assignee_id']);
    }
  });

  it('is cleared when that member leaves or is removed: each such task a change (version +1), in that list only', async () => {
    const { list, owner, editor, editorId } = await shared();
    const assigned = await makeTask(owner, { title: 'a', list_id: list.id, assignee_id: editorId });
    const other = await makeTask(owner, { title: 'b', list_id: list.id });
    // The editor's own inbox task, assigned to themselves: not in that list, so it stays.
    const own = await makeTask(editor, { title: 'own', assignee_id: editorId });
    const token = (await owner.get('/api/tasks/changes').expect(200)).body.sync_token;
    await leave(list.id, editorId);
    const after = (await owner.get(`/api/tasks/${assigned.id}`).expect(200)).body;
    expect(after).toMatchObject({ assignee_id: null, version: assigned.version + 1 });
    expect((await owner.get(`/api/tasks/${other.id}`).expect(200)).body).toEqual(other);
    expect((await editor.get(`/api/tasks/${own.id}`).expect(200)).body).toEqual(own);
    const changes = (await owner.get(`/api/tasks/changes?since=${token}`).expect(200)).body.changes;
    expect(changes.map((c: Task) => c.id)).toEqual([assigned.id]);
  });

  it('deleting a list with assigned tasks deletes them (no clearing first, no error)', async () => {
    const { list, owner, editorId } = await shared();
    const assigned = await makeTask(owner, { title: 'a', list_id: list.id, assignee_id: editorId });
    await owner.delete(`/api/lists/${list.id}`).expect(204);
    expect(await row(assigned.id)).toBeUndefined();
  });

  it('a removal racing assignments never leaves a task assigned to a non-member', async () => {
    const { list, owner, editorId } = await shared();
    const tasks = await Promise.all(
      Array.from({ length: 5 }, (_, i) => makeTask(owner, { title: `t${i}`, list_id: list.id })),
    );
    const answers = await Promise.all([
      ...tasks.map((x) => owner.patch(`/api/tasks/${x.id}`).send({ assignee_id: editorId })),
      leave(list.id, editorId),
    ]);
    for (const res of answers.slice(0, tasks.length))
      expect([200, 400]).toContain((res as { status: number }).status);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM tasks WHERE list_id = $1 AND assignee_id IS NOT NULL`,
      [list.id],
    );
    expect(n).toBe(0);
  });

  it('the listing filters by assignee_id: me, none or a user id, with and without list_id', async () => {
    const { list, task, owner, editor, editorId, ownerId } = await shared();
    const mine = await makeTask(editor, { title: 'mine', list_id: list.id, assignee_id: editorId });
    const ownerS = await makeTask(editor, { title: 'owner’s', list_id: list.id, assignee_id: ownerId });
    const inbox = await makeTask(editor, { title: 'inbox, mine', assignee_id: editorId });
    const me = await editor.get('/api/tasks?assignee_id=me').expect(200);
    expect(ids(me.body)).toEqual(ids([mine, inbox]));
    expect(me.headers['x-total-count']).toBe('2');
    const meInList = await editor.get(`/api/tasks?assignee_id=me&list_id=${list.id}`).expect(200);
    expect(ids(meInList.body)).toEqual([mine.id]);
    expect(meInList.headers['x-total-count']).toBe('1');
    expect(
      ids((await editor.get(`/api/tasks?assignee_id=none&list_id=${list.id}`).expect(200)).body),
    ).toEqual([task.id]);
    expect(ids((await editor.get(`/api/tasks?assignee_id=${ownerId}`).expect(200)).body)).toEqual([
      ownerS.id,
    ]);
    expect(ids((await owner.get('/api/tasks?assignee_id=me').expect(200)).body)).toEqual([ownerS.id]);
    // Paging keeps the filter: a cursor of one filter is not good for another.
    const first = await editor.get('/api/tasks?assignee_id=me&limit=1').expect(200);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.link)![1];
    expect(ids([...first.body, ...(await editor.get(next).expect(200)).body])).toEqual(ids([mine, inbox]));
    const cursor = new URL(next, 'http://x').searchParams.get('cursor');
    expectProblem(await editor.get(`/api/tasks?assignee_id=none&limit=1&cursor=${cursor}`), 400);
    expectProblem(await editor.get(`/api/tasks?assignee_id=${'x'.repeat(256)}`), 400);
  });

  it('has an index for the filter within a list', async () => {
    const [index] = await t.db.query(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'tasks' AND indexname = 'ix_tasks_list_assignee'`,
    );
    expect(index.indexdef).toMatch(/\(list_id, assignee_id\)/);
  });
});

describe('gaps found in review', () => {
  it('a viewer’s PATCH with an empty body is 403 "Read-only list"; a non-member’s 404; an editor’s 200', async () => {
    const { task, viewer, stranger, editor } = await shared();
    const res = await viewer.patch(`/api/tasks/${task.id}`).send({});
    expectProblem(res, 403);
    expect(res.body.title).toBe('Read-only list');
    expectProblem(await stranger.patch(`/api/tasks/${task.id}`).send({}), 404);
    expect((await editor.patch(`/api/tasks/${task.id}`).send({}).expect(200)).body).toEqual(task);
    expectProblem(await editor.patch(`/api/tasks/${task.id}`).set('If-Match', '"7"').send({}), 412);
  });
});
