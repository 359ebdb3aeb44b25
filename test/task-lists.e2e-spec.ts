import type { ListDto } from '../src/lists/dto/list.dto.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { membership } from './helpers/members.js';
import { as, expectProblem, fieldsOf, listAll, useTestApp } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

/** Tasks in lists (#29): assignees, moves between lists, their batch commands, and the gaps review found. */
const MAX_TASKS = 6;
const t = useTestApp({ MAX_TASKS_PER_USER: String(MAX_TASKS) });
const { join, leave } = membership((text, values) => t.db.query(text, values));
type Api = ReturnType<typeof as>;

const inboxOf = async (api: Api): Promise<ListDto> => (await api.get('/api/lists').expect(200)).body[0];
const makeList = async (api: Api, name: string): Promise<ListDto> =>
  (await api.post('/api/lists').send({ name }).expect(201)).body;
const makeTask = async (api: Api, body: Record<string, unknown>): Promise<Task> =>
  (await api.post('/api/tasks').send(body).expect(201)).body;
/** Makes `user` a member of `list` with `role`, directly in SQL (the member routes are another branch's). */
const row = async (id: string): Promise<Task & { owner_id: string; seq: string }> =>
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

describe('moving a task to another list', () => {
  it('moves the task with its subtasks (each version +1, owner’s sequence), first at the top level there', async () => {
    const api = as(t.app, newUser());
    const inbox = await inboxOf(api);
    const work = await makeList(api, 'Work');
    const there = await makeTask(api, { title: 'already there', list_id: work.id });
    const parent = await makeTask(api, { title: 'parent' });
    const subs = [
      await makeTask(api, { title: 's1', parent_id: parent.id }),
      await makeTask(api, { title: 's2', parent_id: parent.id }),
    ];
    const res = await api.post(`/api/tasks/${parent.id}/move`).send({ list_id: work.id }).expect(200);
    expect(res.headers.etag).toBe(`"${parent.version + 1}"`);
    expect(res.body).toMatchObject({
      id: parent.id,
      list_id: work.id,
      parent_id: null,
      version: parent.version + 1,
    });
    for (const sub of subs)
      expect((await api.get(`/api/tasks/${sub.id}`).expect(200)).body).toMatchObject({
        list_id: work.id,
        parent_id: parent.id,
        position: sub.position,
        version: sub.version + 1,
      });
    const top = await listAll(api, `/api/tasks?list_id=${work.id}&parent_id=none&sort=position`);
    expect(top.map((x) => x.id)).toEqual([parent.id, there.id]);
    expect(await listAll(api, `/api/tasks?list_id=${inbox.id}`)).toEqual([]);
  });

  it('places it after `after` and under `parent_id` of the target list; both must be tasks there', async () => {
    const api = as(t.app, newUser());
    const work = await makeList(api, 'Work');
    const a = await makeTask(api, { title: 'a', list_id: work.id });
    const b = await makeTask(api, { title: 'b', list_id: work.id, after: a.id });
    const moving = await makeTask(api, { title: 'moving' });
    const inboxOther = await makeTask(api, { title: 'inbox other' });
    for (const [body, field] of [
      [{ list_id: work.id, parent_id: inboxOther.id }, 'parent_id'],
      [{ list_id: work.id, after: inboxOther.id }, 'after'],
    ] as const) {
      const res = await api.post(`/api/tasks/${moving.id}/move`).send(body);
      expectProblem(res, 400);
      expect(fieldsOf(res)).toEqual([field]);
    }
    await api.post(`/api/tasks/${moving.id}/move`).send({ list_id: work.id, after: a.id }).expect(200);
    const order = await listAll(api, `/api/tasks?list_id=${work.id}&parent_id=none&sort=position`);
    expect(order.map((x) => x.title)).toEqual(['a', 'moving', 'b']);
    const sub = await makeTask(api, { title: 'becomes a subtask' });
    const moved = await api
      .post(`/api/tasks/${sub.id}/move`)
      .send({ list_id: work.id, parent_id: b.id })
      .expect(200);
    expect(moved.body).toMatchObject({ list_id: work.id, parent_id: b.id });
    // Positions stay unique per list and parent.
    const [{ dupes }] = await t.db.query(
      `SELECT count(*)::int AS dupes FROM (SELECT 1 FROM tasks WHERE list_id = $1
         GROUP BY parent_id, position HAVING count(*) > 1) d`,
      [work.id],
    );
    expect(dupes).toBe(0);
  });

  it('a subtask does not move alone (400 naming list_id); a task with subtasks does not go under a parent', async () => {
    const api = as(t.app, newUser());
    const work = await makeList(api, 'Work');
    const target = await makeTask(api, { title: 'target', list_id: work.id });
    const parent = await makeTask(api, { title: 'parent' });
    const sub = await makeTask(api, { title: 'sub', parent_id: parent.id });
    const alone = await api.post(`/api/tasks/${sub.id}/move`).send({ list_id: work.id });
    expectProblem(alone, 400);
    expect(fieldsOf(alone)).toEqual(['list_id']);
    const under = await api
      .post(`/api/tasks/${parent.id}/move`)
      .send({ list_id: work.id, parent_id: target.id });
    expectProblem(under, 400);
    expect(fieldsOf(under)).toEqual(['parent_id']);
    expect((await api.get(`/api/tasks/${sub.id}`).expect(200)).body).toEqual(sub);
    expect((await api.get(`/api/tasks/${parent.id}`).expect(200)).body).toEqual(parent);
    // Into its own list: a plain move.
    const own = await api.post(`/api/tasks/${sub.id}/move`).send({ list_id: sub.list_id, parent_id: null });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ parent_id: null, list_id: sub.list_id });
  });

  it('needs a writer of both lists: a target you are not in is 404 like an unknown list, one you view 403', async () => {
    const { list, task, editor, viewer, owner } = await shared();
    const editorTask = await makeTask(editor, { title: 'editor’s inbox task' });
    const viewerTask = await makeTask(viewer, { title: 'viewer’s inbox task' });
    const strangerList = await makeList(as(t.app, newUser()), 'Elsewhere');
    const notIn = await editor.post(`/api/tasks/${editorTask.id}/move`).send({ list_id: strangerList.id });
    const unknown = await editor
      .post(`/api/tasks/${editorTask.id}/move`)
      .send({ list_id: '00000000-0000-4000-8000-000000000000' });
    expectProblem(notIn, 404);
    expect([notIn.status, notIn.body.detail]).toEqual([unknown.status, unknown.body.detail]);
    expect(notIn.body.detail).toBe('No list with this id');
    const readOnly = await viewer.post(`/api/tasks/${viewerTask.id}/move`).send({ list_id: list.id });
    expectProblem(readOnly, 403);
    expect(readOnly.body.title).toBe('Read-only list');
    // Out of a list the caller only views.
    const viewerInbox = await inboxOf(viewer);
    const out = await viewer.post(`/api/tasks/${task.id}/move`).send({ list_id: viewerInbox.id });
    expectProblem(out, 403);
    expect(out.body.title).toBe('Read-only list');
    expect((await owner.get(`/api/tasks/${task.id}`).expect(200)).body).toEqual(task);
    // An editor moves their task into the shared list, and the owner sees it there.
    await editor.post(`/api/tasks/${editorTask.id}/move`).send({ list_id: list.id }).expect(200);
    expect(ids(await listAll(owner, `/api/tasks?list_id=${list.id}`))).toEqual(ids([task, editorTask]));
  });

  it('honours If-Match', async () => {
    const api = as(t.app, newUser());
    const work = await makeList(api, 'Work');
    const task = await makeTask(api, { title: 'x' });
    const stale = await api
      .post(`/api/tasks/${task.id}/move`)
      .set('If-Match', '"9"')
      .send({ list_id: work.id });
    expectProblem(stale, 412);
    await api
      .post(`/api/tasks/${task.id}/move`)
      .set('If-Match', '"1"')
      .send({ list_id: work.id })
      .expect(200);
  });

  it('keeps an assignee who is a member of the target list, clears one who is not', async () => {
    const { list, owner, ownerId, editorId } = await shared();
    const other = await makeList(owner, 'Owner only');
    const keep = await makeTask(owner, { title: 'keep', list_id: list.id, assignee_id: ownerId });
    const lose = await makeTask(owner, { title: 'lose', list_id: list.id, assignee_id: editorId });
    const loseSub = await makeTask(owner, {
      title: 'lose too',
      list_id: list.id,
      parent_id: lose.id,
      assignee_id: editorId,
    });
    expect(
      (await owner.post(`/api/tasks/${keep.id}/move`).send({ list_id: other.id }).expect(200)).body
        .assignee_id,
    ).toBe(ownerId);
    expect(
      (await owner.post(`/api/tasks/${lose.id}/move`).send({ list_id: other.id }).expect(200)).body
        .assignee_id,
    ).toBeNull();
    expect((await owner.get(`/api/tasks/${loseSub.id}`).expect(200)).body).toMatchObject({
      list_id: other.id,
      assignee_id: null,
    });
  });

  it('into another owner’s list counts against that owner’s MAX_TASKS_PER_USER, subtasks included', async () => {
    const { list, owner, editor } = await shared(); // the owner holds 1 task in their lists
    for (let i = 0; i < MAX_TASKS - 3; i++) await makeTask(owner, { title: `fill ${i}`, list_id: list.id });
    // The owner holds 4 of 6: a task with two subtasks (3) does not fit, one with one subtask does.
    const big = await makeTask(editor, { title: 'big' });
    for (const title of ['b1', 'b2']) await makeTask(editor, { title, parent_id: big.id });
    const small = await makeTask(editor, { title: 'small' });
    await makeTask(editor, { title: 's1', parent_id: small.id });
    const refused = await editor.post(`/api/tasks/${big.id}/move`).send({ list_id: list.id });
    expectProblem(refused, 403);
    expect(refused.body.title).toBe('Task limit reached');
    expect(refused.body.detail).toBe(
      `The owner of this list holds ${MAX_TASKS} tasks in their lists, the most one user may; delete some to add more`,
    );
    expect((await editor.get(`/api/tasks/${big.id}`).expect(200)).body).toEqual(big);
    expect(await listAll(owner, `/api/tasks?list_id=${list.id}`)).toHaveLength(MAX_TASKS - 2);
    await editor.post(`/api/tasks/${small.id}/move`).send({ list_id: list.id }).expect(200);
    expect((await owner.get(`/api/tasks/stats?list_id=${list.id}`).expect(200)).body.total).toBe(MAX_TASKS);
    // The counters followed: the owner is full, the editor's inbox holds 3.
    const [counts] = await t.db.query(
      `SELECT (SELECT total FROM task_counts WHERE user_id = $1)::int AS owner,
              (SELECT total FROM task_counts WHERE user_id = $2)::int AS editor`,
      [list.owner_id, big.user_id],
    );
    expect(counts).toEqual({ owner: MAX_TASKS, editor: 3 });
    // A create in the full list says whose limit it is, too.
    const full = await editor.post('/api/tasks').send({ title: 'one more', list_id: list.id });
    expectProblem(full, 403);
    expect(full.body.detail).toMatch(/^The owner of this list holds/);
  });

  it('into another owner’s list: a tombstone in the old owner’s sequence, the tasks new in the new owner’s', async () => {
    const { list, editor, editorId } = await shared();
    const parent = await makeTask(editor, { title: 'parent' });
    const sub = await makeTask(editor, { title: 'sub', parent_id: parent.id });
    const before = await row(sub.id);
    await editor.post(`/api/tasks/${parent.id}/move`).send({ list_id: list.id }).expect(200);
    const tombstones = await t.db.query(
      `SELECT id FROM task_tombstones WHERE user_id = $1 AND seq > $2 ORDER BY id`,
      [editorId, before.seq],
    );
    expect(tombstones.map((x: { id: string }) => x.id)).toEqual([parent.id, sub.id].sort());
    for (const id of [parent.id, sub.id]) expect((await row(id)).owner_id).toBe(list.owner_id);
  });

  it('concurrent moves between two lists in both directions all land, none deadlocks into an error', async () => {
    const api = as(t.app, newUser());
    const a = await makeList(api, 'A');
    const b = await makeList(api, 'B');
    const inA = await Promise.all([0, 1, 2].map((i) => makeTask(api, { title: `a${i}`, list_id: a.id })));
    const inB = await Promise.all([0, 1].map((i) => makeTask(api, { title: `b${i}`, list_id: b.id })));
    const answers = await Promise.all([
      ...inA.map((x) => api.post(`/api/tasks/${x.id}/move`).send({ list_id: b.id })),
      ...inB.map((x) => api.post(`/api/tasks/${x.id}/move`).send({ list_id: a.id })),
    ]);
    expect(answers.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(ids(await listAll(api, `/api/tasks?list_id=${b.id}`))).toEqual(ids(inA));
    expect(ids(await listAll(api, `/api/tasks?list_id=${a.id}`))).toEqual(ids(inB));
  });
});

describe('batch commands with list_id', () => {
  it('create and move take data.list_id, each checked like its single route', async () => {
    const { list, task, editor, viewer, owner } = await shared();
    const strangerList = await makeList(as(t.app, newUser()), 'Elsewhere');
    const viewerOwn = await makeList(viewer, 'Viewer’s');
    const answer = (
      await editor
        .post('/api/tasks/batch')
        .send({
          commands: [
            { op: 'create', temp_id: 'p', data: { title: 'parent' } },
            { op: 'create', data: { title: 'child', parent_id: 'p' } },
            { op: 'move', task_id: 'p', data: { list_id: list.id, after: task.id } },
            { op: 'create', data: { title: 'there', list_id: list.id } },
            { op: 'create', data: { title: 'no', list_id: strangerList.id } },
            { op: 'move', task_id: task.id, data: { list_id: strangerList.id } },
            { op: 'move', task_id: task.id, data: { list_id: viewerOwn.id } },
            { op: 'move', task_id: task.id, data: { list_id: 'not-a-uuid' } },
          ],
        })
        .expect(200)
    ).body;
    expect(answer.results.map((r: { status: number }) => r.status)).toEqual([
      201, 201, 200, 201, 404, 404, 404, 400,
    ]);
    expect(answer.results[2].task).toMatchObject({ list_id: list.id });
    expect(answer.results[7].error.errors.map((e: { field: string }) => e.field)).toEqual(['list_id']);
    const inList = await listAll(owner, `/api/tasks?list_id=${list.id}`);
    expect(inList.map((x) => x.title).sort()).toEqual(['child', 'parent', 'shared task', 'there']);
    // A viewer's batch: read-only there.
    const denied = (
      await viewer
        .post('/api/tasks/batch')
        .send({
          commands: [
            { op: 'create', temp_id: 'v', data: { title: 'mine' } },
            { op: 'move', task_id: 'v', data: { list_id: list.id } },
            { op: 'create', data: { title: 'in shared', list_id: list.id } },
          ],
        })
        .expect(200)
    ).body;
    expect(denied.results.map((r: { status: number }) => r.status)).toEqual([201, 403, 403]);
    expect(denied.results[1].error.title).toBe('Read-only list');
  });

  it('a move past the target owner’s limit fails alone; the rest of the batch stands', async () => {
    const { list, owner, editor } = await shared();
    for (let i = 0; i < MAX_TASKS - 1; i++) await makeTask(owner, { title: `fill ${i}`, list_id: list.id });
    const answer = (
      await editor
        .post('/api/tasks/batch')
        .send({
          commands: [
            { op: 'create', temp_id: 'x', data: { title: 'x' } },
            { op: 'move', task_id: 'x', data: { list_id: list.id } },
            { op: 'create', data: { title: 'y' } },
          ],
        })
        .expect(200)
    ).body;
    expect(answer.results.map((r: { status: number }) => r.status)).toEqual([201, 403, 201]);
    expect(answer.results[1].error.title).toBe('Task limit reached');
    expect((await row(answer.temp_id_mapping.x)).list_id).not.toBe(list.id);
  });
});

describe('subtasks in a shared list', () => {
  it('are made in the parent’s list without a list_id: by an editor (also in a batch); a viewer’s is 403', async () => {
    const { list, task, editor, viewer, stranger } = await shared();
    const sub = await makeTask(editor, { title: 'sub', parent_id: task.id });
    expect(sub).toMatchObject({ list_id: list.id, parent_id: task.id });
    const batch = await editor
      .post('/api/tasks/batch')
      .send({ commands: [{ op: 'create', data: { title: 'batched sub', parent_id: task.id } }] })
      .expect(200);
    expect(batch.body.results[0]).toMatchObject({
      status: 201,
      task: { list_id: list.id, parent_id: task.id },
    });
    const refused = await viewer.post('/api/tasks').send({ title: 'no', parent_id: task.id });
    expectProblem(refused, 403);
    expect(refused.body.title).toBe('Read-only list');
    // A parent the caller cannot see is a bad parent_id, exactly like an unknown one.
    const hidden = await stranger.post('/api/tasks').send({ title: 'no', parent_id: task.id });
    const unknown = await stranger
      .post('/api/tasks')
      .send({ title: 'no', parent_id: '00000000-0000-4000-8000-000000000000' });
    expectProblem(hidden, 400);
    expect([hidden.body.detail, fieldsOf(hidden)]).toEqual([unknown.body.detail, fieldsOf(unknown)]);
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
