// Isolation, tried as an attacker would (issue #29 item 4): every route, query parameter and batch
// operation with the ids of lists and tasks the caller may not see (another user's, a list they were
// removed from, a deleted one) or may not write (a viewer's), and invitation tokens that are wrong,
// used, expired, revoked or bound to another email. A non-member's answer must be exactly the answer
// for an id that does not exist (status and detail: nothing tells "exists, not yours" from "unknown"),
// a member without the role gets 403, and nothing anyone could see changes.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import type { ListDto } from '../src/lists/dto/list.dto.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { expectProblem, listAll, useTestApp } from './helpers/app.js';
import { newUser, tokenFor } from './helpers/tokens.js';

const t = useTestApp();

/** supertest as `user`, whose tokens carry `email` when given. */
function client(user: string, email?: string) {
  const server = () => t.app.getHttpServer() as App;
  const auth = (req: request.Test) =>
    req.set('Authorization', `Bearer ${tokenFor(user, email ? { email } : {})}`);
  return {
    id: user,
    get: (url: string) => auth(request(server()).get(url)),
    post: (url: string) => auth(request(server()).post(url)),
    put: (url: string) => auth(request(server()).put(url)),
    patch: (url: string) => auth(request(server()).patch(url)),
    delete: (url: string) => auth(request(server()).delete(url)),
  };
}
type Client = ReturnType<typeof client>;

const UNKNOWN = '00000000-0000-4000-8000-00000000dead';

interface World {
  owner: Client;
  editor: Client;
  viewer: Client;
  removed: Client;
  stranger: Client;
  shared: ListDto;
  privateList: ListDto;
  deleted: { list: string; task: string };
  sharedTask: Task;
  sharedSub: Task;
  privateTask: Task;
  /** A task of each attacker's own, in their inbox (to move into lists they may not write). */
  own: Map<string, Task>;
  /** An open invitation of the shared list. */
  invitation: { id: string; token: string };
}

async function invite(owner: Client, list: string, body: Record<string, unknown>) {
  const res = await owner.post(`/api/lists/${list}/invitations`).send(body).expect(201);
  return res.body as { id: string; token: string };
}

async function build(): Promise<World> {
  const [owner, editor, viewer, removed, stranger] = ['owner', 'editor', 'viewer', 'removed', 'stranger'].map(
    (label) => client(newUser(label)),
  );
  const shared: ListDto = (await owner.post('/api/lists').send({ name: 'Shared' }).expect(201)).body;
  const privateList: ListDto = (await owner.post('/api/lists').send({ name: 'Private' }).expect(201)).body;
  for (const [who, role] of [
    [editor, 'editor'],
    [viewer, 'viewer'],
    [removed, 'editor'],
  ] as const) {
    const { token } = await invite(owner, shared.id, { role });
    await who.post(`/api/invitations/${token}/accept`).expect(200);
  }
  await owner.delete(`/api/lists/${shared.id}/members/${removed.id}`).expect(204);

  const task = async (who: Client, body: Record<string, unknown>): Promise<Task> =>
    (await who.post('/api/tasks').send(body).expect(201)).body;
  const sharedTask = await task(owner, {
    title: 'shared',
    list_id: shared.id,
    due_date: '2030-01-01T09:00:00Z',
  });
  const sharedSub = await task(editor, { title: 'sub', list_id: shared.id, parent_id: sharedTask.id });
  const privateTask = await task(owner, {
    title: 'private',
    list_id: privateList.id,
    due_date: '2030-01-01T09:00:00Z',
    recurrence: { rule: 'FREQ=DAILY' },
  });
  const doomed: ListDto = (await owner.post('/api/lists').send({ name: 'Doomed' }).expect(201)).body;
  const doomedTask = await task(owner, { title: 'doomed', list_id: doomed.id });
  await owner.delete(`/api/lists/${doomed.id}`).expect(204);

  const own = new Map<string, Task>();
  for (const who of [editor, viewer, removed, stranger]) own.set(who.id, await task(who, { title: 'mine' }));
  const invitation = await invite(owner, shared.id, { role: 'editor' });
  return {
    owner,
    editor,
    viewer,
    removed,
    stranger,
    shared,
    privateList,
    deleted: { list: doomed.id, task: doomedTask.id },
    sharedTask,
    sharedSub,
    privateTask,
    own,
    invitation,
  };
}

/** Everything of the owner's lists a change could touch, as stored. */
async function snapshot(w: World): Promise<unknown> {
  const lists = [w.shared.id, w.privateList.id];
  const [tasks, listRows, members, invitations] = await Promise.all([
    t.db.query(
      `SELECT id, list_id, parent_id, title, description, completed, priority, due_date, version, position,
              recurrence, time_zone FROM tasks WHERE list_id = ANY($1) ORDER BY id`,
      [lists],
    ),
    t.db.query('SELECT id, owner_id, name, color, version FROM lists WHERE id = ANY($1) ORDER BY id', [
      lists,
    ]),
    t.db.query('SELECT list_id, user_id, role FROM list_members WHERE list_id = ANY($1) ORDER BY 1, 2', [
      lists,
    ]),
    t.db.query('SELECT count(*)::int AS n FROM list_invitations WHERE list_id = ANY($1)', [lists]),
  ]);
  return { tasks, listRows, members, invitations };
}

/** A request made with an id in it; `id` → the same request with the id swapped. */
type Attempt = (id: string) => request.Test;

/**
 * The non-member's answer for `id` is exactly the answer for an id that does not exist: same status,
 * same title and detail (status 404 where the route takes the id in its path).
 */
async function looksUnknown(what: string, attempt: Attempt, id: string, status?: number) {
  const [foreign, unknown] = [await attempt(id), await attempt(UNKNOWN)];
  // A batch's command results, without what differs per request (its problem's request_id, instance).
  const results = (res: request.Response) =>
    (res.body?.results as { status: number; error?: { title: string; detail: string } }[] | undefined)?.map(
      (r) => [r.status, r.error?.title, r.error?.detail],
    );
  const shape = (res: request.Response) => [res.status, res.body?.title, res.body?.detail, results(res)];
  expect({ what, answer: shape(foreign) }).toEqual({ what, answer: shape(unknown) });
  if (status !== undefined) {
    // A batch answers 200 with each command's status: the command's is the one that counts.
    const got = foreign.body?.results ? foreign.body.results[0].status : foreign.status;
    expect({ what, status: got }).toEqual({ what, status });
  }
  if (foreign.status >= 400) expectProblem(foreign, foreign.status);
}

/** Every task route taking the task's id in its path. */
const taskRoutes = (who: Client): [string, Attempt][] => [
  ['GET', (id) => who.get(`/api/tasks/${id}`)],
  ['GET If-None-Match', (id) => who.get(`/api/tasks/${id}`).set('If-None-Match', '"1"')],
  ['PUT', (id) => who.put(`/api/tasks/${id}`).send({ title: 'hacked' })],
  ['PATCH', (id) => who.patch(`/api/tasks/${id}`).send({ title: 'hacked' })],
  ['PATCH empty', (id) => who.patch(`/api/tasks/${id}`).send({})],
  ['PATCH If-Match', (id) => who.patch(`/api/tasks/${id}`).set('If-Match', '"1"').send({ title: 'hacked' })],
  ['complete toggle', (id) => who.patch(`/api/tasks/${id}/complete`)],
  ['complete', (id) => who.patch(`/api/tasks/${id}/complete`).send({ completed: true })],
  ['skip', (id) => who.post(`/api/tasks/${id}/skip`)],
  ['occurrences', (id) => who.get(`/api/tasks/${id}/occurrences`)],
  ['completions', (id) => who.get(`/api/tasks/${id}/completions`)],
  ['move', (id) => who.post(`/api/tasks/${id}/move`).send({ after: null })],
  ['DELETE', (id) => who.delete(`/api/tasks/${id}`)],
];

/** Every route that takes a task id somewhere else than its path: a body, a query, a batch. */
const taskReferences = (who: Client, own: Task): [string, Attempt][] => [
  ['create under it', (id) => who.post('/api/tasks').send({ title: 'x', parent_id: id })],
  ['move own task under it', (id) => who.post(`/api/tasks/${own.id}/move`).send({ parent_id: id })],
  ['move own task after it', (id) => who.post(`/api/tasks/${own.id}/move`).send({ after: id })],
  ['listing parent_id', (id) => who.get(`/api/tasks?parent_id=${id}`)],
  ...(['update', 'complete', 'move', 'delete'] as const).map((op): [string, Attempt] => [
    `batch ${op}`,
    (id) =>
      who
        .post('/api/tasks/batch')
        .send({ commands: [{ op, task_id: id, data: op === 'update' ? { title: 'hacked' } : {} }] }),
  ]),
  [
    'batch create under it',
    (id) =>
      who
        .post('/api/tasks/batch')
        .send({ commands: [{ op: 'create', data: { title: 'x', parent_id: id } }] }),
  ],
];

/** Every route that takes a list id. */
const listRoutes = (who: Client, own: Task, someone: string): [string, Attempt][] => [
  ['GET list', (id) => who.get(`/api/lists/${id}`)],
  ['PATCH list', (id) => who.patch(`/api/lists/${id}`).send({ name: 'hacked' })],
  ['DELETE list', (id) => who.delete(`/api/lists/${id}`)],
  ['members', (id) => who.get(`/api/lists/${id}/members`)],
  ['member role', (id) => who.patch(`/api/lists/${id}/members/${someone}`).send({ role: 'viewer' })],
  ['remove member', (id) => who.delete(`/api/lists/${id}/members/${someone}`)],
  ['leave', (id) => who.delete(`/api/lists/${id}/members/${who.id}`)],
  ['transfer', (id) => who.post(`/api/lists/${id}/transfer`).send({ user_id: who.id })],
  ['invite', (id) => who.post(`/api/lists/${id}/invitations`).send({ role: 'editor' })],
  ['invitations', (id) => who.get(`/api/lists/${id}/invitations`)],
  ['revoke', (id) => who.delete(`/api/lists/${id}/invitations/${UNKNOWN}`)],
  ['listing', (id) => who.get(`/api/tasks?list_id=${id}`)],
  ['stats', (id) => who.get(`/api/tasks/stats?list_id=${id}`)],
  ['clear', (id) => who.delete(`/api/tasks?status=completed&list_id=${id}`)],
  ['create in it', (id) => who.post('/api/tasks').send({ title: 'x', list_id: id })],
  ['move own task into it', (id) => who.post(`/api/tasks/${own.id}/move`).send({ list_id: id })],
  [
    'batch create in it',
    (id) =>
      who.post('/api/tasks/batch').send({ commands: [{ op: 'create', data: { title: 'x', list_id: id } }] }),
  ],
  [
    'batch move own task into it',
    (id) =>
      who
        .post('/api/tasks/batch')
        .send({ commands: [{ op: 'move', task_id: own.id, data: { list_id: id } }] }),
  ],
];

describe('a caller who may not see a list', () => {
  let w: World;
  let before: unknown;
  beforeAll(async () => {
    w = await build();
    before = await snapshot(w);
  });

  // The stranger never was a member; the removed one was, until the owner removed them; the editor
  // of the shared list is a stranger to the owner's private list; the owner to a deleted list.
  const cases = () =>
    [
      [
        'a stranger',
        w.stranger,
        [w.shared.id, w.privateList.id, w.deleted.list],
        [w.sharedTask, w.sharedSub, w.privateTask],
      ],
      [
        'a removed member',
        w.removed,
        [w.shared.id, w.privateList.id],
        [w.sharedTask, w.sharedSub, w.privateTask],
      ],
      ['an editor of another list', w.editor, [w.privateList.id, w.deleted.list], [w.privateTask]],
    ] as const;

  it('gets, on every route taking the task in its path, exactly the answer for an unknown task', async () => {
    for (const [who, caller, , tasks] of cases())
      for (const task of [...tasks, { id: w.deleted.task } as Task])
        for (const [route, attempt] of taskRoutes(caller))
          await looksUnknown(`${who}: ${route} ${task.id}`, attempt, task.id, 404);
  });

  it('gets, wherever a task is named in a body, a query or a batch, exactly the answer for an unknown task', async () => {
    for (const [who, caller, , tasks] of cases())
      for (const task of tasks)
        for (const [route, attempt] of taskReferences(
          caller,
          w.own.get(caller.id) ?? w.own.get(w.stranger.id)!,
        ))
          await looksUnknown(`${who}: ${route} ${task.title}`, attempt, task.id);
  });

  it('gets, on every route taking a list, exactly the answer for an unknown list', async () => {
    for (const [who, caller, lists] of cases())
      for (const list of lists)
        for (const [route, attempt] of listRoutes(caller, w.own.get(caller.id)!, w.editor.id))
          // Wherever a list is named, a list you are not a member of is 404 (contract "Lists and sharing").
          await looksUnknown(`${who}: ${route} ${list}`, attempt, list, 404);
  });

  it('finds nothing of it in lists, listings, stats, sync or a search', async () => {
    for (const [who, caller, lists, tasks] of cases()) {
      const hidden = new Set([...tasks.map((x) => x.id), w.deleted.task]);
      const shownLists = (await caller.get('/api/lists').expect(200)).body.map((l: ListDto) => l.id);
      const listed = await listAll(caller, '/api/tasks?limit=100&status=all');
      const found = (await caller.get('/api/tasks?q=shared&status=all').expect(200)).body as Task[];
      const changes = (await caller.get('/api/tasks/changes?limit=1000').expect(200)).body;
      const synced = (changes.lists ?? []).filter((l: { deleted?: boolean }) => !l.deleted);
      const seen = [...listed, ...found, ...changes.changes].map((x: { id: string }) => x.id);
      expect({
        who,
        lists: [...shownLists, ...synced.map((l: { id: string }) => l.id)].filter((id) => lists.includes(id)),
        tasks: seen.filter((id) => hidden.has(id)),
      }).toEqual({ who, lists: [], tasks: [] });
      const stats = (await caller.get('/api/tasks/stats').expect(200)).body;
      expect({ who, total: stats.total }).toEqual({ who, total: listed.length });
    }
  });

  it('changed nothing by all of the above', async () => {
    expect(await snapshot(w)).toEqual(before);
  });
});

describe('a member without the role', () => {
  let w: World;
  let before: unknown;
  beforeAll(async () => {
    w = await build();
    before = await snapshot(w);
  });

  it('a viewer reads the list and its tasks, and every write is 403 "Read-only list"', async () => {
    const v = w.viewer;
    await v.get(`/api/lists/${w.shared.id}`).expect(200);
    await v.get(`/api/tasks/${w.sharedTask.id}`).expect(200);
    await v.get(`/api/tasks?list_id=${w.shared.id}`).expect(200);
    await v.get(`/api/lists/${w.shared.id}/members`).expect(200);
    const writes: [string, () => request.Test][] = [
      ['PUT', () => v.put(`/api/tasks/${w.sharedTask.id}`).send({ title: 'hacked' })],
      ['PATCH', () => v.patch(`/api/tasks/${w.sharedTask.id}`).send({ title: 'hacked' })],
      ['PATCH empty', () => v.patch(`/api/tasks/${w.sharedTask.id}`).send({})],
      ['complete', () => v.patch(`/api/tasks/${w.sharedTask.id}/complete`)],
      ['skip', () => v.post(`/api/tasks/${w.sharedTask.id}/skip`)],
      ['move', () => v.post(`/api/tasks/${w.sharedSub.id}/move`).send({ after: null })],
      ['DELETE', () => v.delete(`/api/tasks/${w.sharedTask.id}`)],
      ['create', () => v.post('/api/tasks').send({ title: 'x', list_id: w.shared.id })],
      ['create subtask', () => v.post('/api/tasks').send({ title: 'x', parent_id: w.sharedTask.id })],
      ['clear', () => v.delete(`/api/tasks?status=completed&list_id=${w.shared.id}`)],
      [
        'move own task in',
        () => v.post(`/api/tasks/${w.own.get(v.id)!.id}/move`).send({ list_id: w.shared.id }),
      ],
    ];
    for (const [what, attempt] of writes) {
      const res = await attempt();
      expect({ what, status: res.status, title: res.body.title }).toEqual({
        what,
        status: 403,
        title: 'Read-only list',
      });
      expectProblem(res, 403);
    }
    const batch = await v.post('/api/tasks/batch').send({
      commands: [
        { op: 'create', data: { title: 'x', list_id: w.shared.id } },
        { op: 'update', task_id: w.sharedTask.id, data: { title: 'hacked' } },
        { op: 'complete', task_id: w.sharedTask.id },
        { op: 'move', task_id: w.sharedSub.id, data: { after: null } },
        { op: 'delete', task_id: w.sharedTask.id },
      ],
    });
    expect(batch.body.results.map((r: { status: number }) => r.status)).toEqual([403, 403, 403, 403, 403]);
  });

  it('an editor or a viewer gets 403 "Only the owner can do this" on every owner route', async () => {
    for (const who of [w.editor, w.viewer]) {
      const attempts: [string, () => request.Test][] = [
        ['rename', () => who.patch(`/api/lists/${w.shared.id}`).send({ name: 'hacked' })],
        ['delete', () => who.delete(`/api/lists/${w.shared.id}`)],
        ['role', () => who.patch(`/api/lists/${w.shared.id}/members/${w.owner.id}`).send({ role: 'viewer' })],
        [
          'promote self',
          () => who.patch(`/api/lists/${w.shared.id}/members/${who.id}`).send({ role: 'editor' }),
        ],
        ['remove other', () => who.delete(`/api/lists/${w.shared.id}/members/${w.owner.id}`)],
        ['transfer', () => who.post(`/api/lists/${w.shared.id}/transfer`).send({ user_id: who.id })],
        ['invite', () => who.post(`/api/lists/${w.shared.id}/invitations`).send({ role: 'editor' })],
        ['invitations', () => who.get(`/api/lists/${w.shared.id}/invitations`)],
        ['revoke', () => who.delete(`/api/lists/${w.shared.id}/invitations/${w.invitation.id}`)],
      ];
      for (const [what, attempt] of attempts) {
        const res = await attempt();
        expect({ what, status: res.status, title: res.body.title }).toEqual({
          what,
          status: 403,
          title: 'Only the owner can do this',
        });
      }
    }
  });

  it('changed nothing by all of the above', async () => {
    expect(await snapshot(w)).toEqual(before);
  });
});

describe('invitation tokens', () => {
  it('wrong, used, expired and revoked tokens are 404 on both routes, indistinguishable; nothing joins', async () => {
    const owner = client(newUser('owner'));
    const list: ListDto = (await owner.post('/api/lists').send({ name: 'Club' }).expect(201)).body;
    const used = await invite(owner, list.id, { role: 'editor' });
    await client(newUser('first')).post(`/api/invitations/${used.token}/accept`).expect(200);
    const expired = await invite(owner, list.id, { role: 'editor' });
    await t.db.query(`UPDATE list_invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      expired.id,
    ]);
    const revoked = await invite(owner, list.id, { role: 'editor' });
    await owner.delete(`/api/lists/${list.id}/invitations/${revoked.id}`).expect(204);
    // A token cut short, one with a character changed, one made up, one of the right length made up.
    const edited = used.token.slice(0, -1) + (used.token.endsWith('A') ? 'B' : 'A');
    const tokens = {
      used: used.token,
      expired: expired.token,
      revoked: revoked.token,
      edited,
      cut: expired.token.slice(0, 10),
      'made up': randomUUID(),
      'made up, right length': 'x'.repeat(used.token.length),
    };
    const intruder = client(newUser('intruder'));
    const answers = new Set<string>();
    for (const [what, token] of Object.entries(tokens)) {
      for (const res of [
        await intruder.get(`/api/invitations/${encodeURIComponent(token)}`),
        await intruder.post(`/api/invitations/${encodeURIComponent(token)}/accept`),
      ]) {
        expect({ what, status: res.status }).toEqual({ what, status: 404 });
        expectProblem(res, 404);
        answers.add(`${res.body.title} / ${res.body.detail}`);
      }
    }
    expect(answers.size).toBe(1);
    expect((await owner.get(`/api/lists/${list.id}/members`).expect(200)).body).toHaveLength(2);
    expectProblem(await intruder.get(`/api/lists/${list.id}`), 404);
  });

  it('bound to an email: anyone else gets 403 and it stays open; the right user, in any case, joins', async () => {
    const owner = client(newUser('owner'));
    const list: ListDto = (await owner.post('/api/lists').send({ name: 'Family' }).expect(201)).body;
    const bound = await invite(owner, list.id, { role: 'viewer', email: 'Carol@Example.com' });
    for (const email of [undefined, 'mallory@example.com', 'carol@example.com.evil', 'carol@example.co']) {
      const res = await client(newUser('mallory'), email).post(`/api/invitations/${bound.token}/accept`);
      expect({ email, status: res.status }).toEqual({ email, status: 403 });
      expectProblem(res, 403);
    }
    expect(
      (await owner.get(`/api/lists/${list.id}/invitations`).expect(200)).body.map(
        (i: { id: string }) => i.id,
      ),
    ).toEqual([bound.id]);
    const carol = client(newUser('carol'), 'CAROL@example.COM');
    const joined = await carol.post(`/api/invitations/${bound.token}/accept`).expect(200);
    expect(joined.body).toMatchObject({ id: list.id, role: 'viewer' });
    expectProblem(
      await client(newUser('late'), 'carol@example.com').post(`/api/invitations/${bound.token}/accept`),
      404,
    );
  });

  it('never shows a token again, and the stored form is not the token', async () => {
    const owner = client(newUser('owner'));
    const list: ListDto = (await owner.post('/api/lists').send({ name: 'Quiet' }).expect(201)).body;
    const made = await invite(owner, list.id, { role: 'editor' });
    const listed = await owner.get(`/api/lists/${list.id}/invitations`).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(made.token);
    const rows = await t.db.query('SELECT * FROM list_invitations WHERE id = $1', [made.id]);
    expect(JSON.stringify(rows)).not.toContain(made.token);
    // At least 128 random bits: 22 base64url characters or more.
    expect(made.token.length).toBeGreaterThanOrEqual(22);
  });
});
