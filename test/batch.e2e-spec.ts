import type { Task } from '../src/tasks/dto/task.dto.js';
import { BATCH_MAX_COMMANDS } from '../src/batch/batch.dto.js';
import { BATCH_MESSAGES } from '../src/batch/batch-plan.js';
import { as, expectProblem, fieldsOf, useTestApp } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

// POST /api/tasks/batch (contract: "Batch").
const t = useTestApp();

type Api = ReturnType<typeof as>;
interface Result {
  status: number;
  task?: Task;
  error?: { status: number; title: string; detail: string; errors?: { field: string }[] };
}
interface Answer {
  results: Result[];
  temp_id_mapping: Record<string, string>;
  sync_token: string;
}

const batch = async (api: Api, commands: unknown[], key?: string): Promise<Answer> => {
  const req = api.post('/api/tasks/batch');
  if (key) req.set('Idempotency-Key', key);
  const res = await req.send({ commands });
  expect(res.status).toBe(200);
  return res.body as Answer;
};
const list = async (api: Api): Promise<Task[]> =>
  (await api.get('/api/tasks?sort=position&limit=100').expect(200)).body as Task[];
const create = async (api: Api, title: string): Promise<Task> =>
  (await api.post('/api/tasks').send({ title }).expect(201)).body as Task;

describe('POST /api/tasks/batch', () => {
  it('runs commands in order with temp_ids, and answers each like its single route', async () => {
    const api = as(t.app, newUser());
    const existing = await create(api, 'existing');
    const answer = await batch(api, [
      { op: 'create', temp_id: 'p', data: { title: 'parent' } },
      { op: 'create', temp_id: 's1', data: { title: 'sub 1', parent_id: 'p' } },
      { op: 'create', temp_id: 's2', data: { title: 'sub 2', parent_id: 'p', after: 's1' } },
      { op: 'update', task_id: 's1', data: { title: 'sub 1 renamed', priority: 'high' } },
      { op: 'complete', task_id: 's2' },
      { op: 'complete', task_id: 's2', data: { completed: true } },
      { op: 'move', task_id: 'p', data: { after: existing.id } },
      { op: 'delete', task_id: existing.id, if_match: `"${existing.version}"` },
    ]);
    const ids = answer.temp_id_mapping;
    expect(Object.keys(ids).sort()).toEqual(['p', 's1', 's2']);
    expect(answer.results.map((r) => r.status)).toEqual([201, 201, 201, 200, 200, 200, 200, 204]);
    expect(answer.results[1].task).toMatchObject({ id: ids.s1, parent_id: ids.p, title: 'sub 1' });
    expect(answer.results[3].task).toMatchObject({ title: 'sub 1 renamed', priority: 'high', version: 2 });
    expect(answer.results[4].task).toMatchObject({ completed: true });
    expect(answer.results[5].task).toMatchObject({ completed: true, version: 3 });
    expect(answer.results[7]).toEqual({ status: 204 });
    // The server now holds exactly that.
    const tasks = await list(api);
    expect(tasks.filter((x) => x.parent_id === null).map((x) => x.title)).toEqual(['parent']);
    const subs = (await api.get(`/api/tasks?parent_id=${ids.p}&sort=position`).expect(200)).body as Task[];
    expect(subs.map((x) => x.title)).toEqual(['sub 1 renamed', 'sub 2']);
    // The sync token is right after the batch: nothing follows it.
    const after = await api.get(`/api/tasks/changes?since=${answer.sync_token}`).expect(200);
    expect(after.body).toMatchObject({ changes: [], has_more: false });
  });

  it('a failing command undoes only itself, with its single route’s problem', async () => {
    const api = as(t.app, newUser());
    const task = await create(api, 'x');
    const answer = await batch(api, [
      { op: 'create', data: { title: 'kept' } },
      { op: 'update', task_id: task.id, data: { title: '' } },
      { op: 'update', task_id: task.id, if_match: '"7"', data: { title: 'stale' } },
      { op: 'delete', task_id: '00000000-0000-4000-8000-000000000000' },
      { op: 'create', temp_id: 'bad', data: { title: 'sub', parent_id: task.id, after: task.id } },
      { op: 'update', task_id: 'bad', data: { title: 'never' } },
      { op: 'complete', task_id: task.id, if_match: 'nonsense' },
      { op: 'update', task_id: task.id, data: { title: 'last' } },
    ]);
    expect(answer.results.map((r) => r.status)).toEqual([201, 400, 412, 404, 400, 424, 400, 200]);
    expect(answer.results[1].error).toMatchObject({ status: 400, errors: [{ field: 'title' }] });
    expect(answer.results[2].error?.detail).toMatch(/current version is 1/);
    expect(answer.results[4].error).toMatchObject({ errors: [{ field: 'after' }] });
    expect(answer.results[5].error).toMatchObject({ status: 424 });
    expect(answer.results[6].error).toMatchObject({ errors: [{ field: 'If-Match' }] });
    expect(answer.temp_id_mapping).toEqual({});
    expect((await list(api)).map((x) => x.title).sort()).toEqual(['kept', 'last']);
  });

  it('refuses a malformed envelope before anything runs', async () => {
    const api = as(t.app, newUser());
    const task = await create(api, 'x');
    const cases: [unknown, string[]][] = [
      [{ commands: 'create' }, ['commands']],
      [{ commands: [] }, ['commands']],
      [{}, ['commands']],
      [{ commands: [{ op: 'explode' }] }, ['commands.0.op']],
      [{ commands: [{ op: 'create', data: { title: 'a' }, extra: 1 }] }, ['commands.0.extra']],
      [{ commands: [{ op: 'create', data: { title: 'a' } }], more: 1 }, ['more']],
      [{ commands: [{ op: 'delete', task_id: task.id, data: {} }] }, ['commands.0.data']],
      [{ commands: [{ op: 'update', data: { title: 'a' } }] }, ['commands.0.task_id']],
      [{ commands: [{ op: 'create', task_id: task.id, data: { title: 'a' } }] }, ['commands.0.task_id']],
      [
        {
          commands: [
            { op: 'update', task_id: 'later', data: {} },
            { op: 'create', temp_id: 'later', data: { title: 'a' } },
          ],
        },
        ['commands.0.task_id'],
      ],
      [
        {
          commands: [
            { op: 'create', temp_id: 'a', data: { title: 'a' } },
            { op: 'create', temp_id: 'a', data: { title: 'b' } },
          ],
        },
        ['commands.1.temp_id'],
      ],
      [{ commands: [{ op: 'create', temp_id: task.id, data: { title: 'a' } }] }, ['commands.0.temp_id']],
      [
        { commands: [{ op: 'create', data: { title: 'a', parent_id: 'nowhere' } }] },
        ['commands.0.data.parent_id'],
      ],
      [{ commands: [{ op: 'create', data: 'x' }] }, ['commands.0.data']],
    ];
    for (const [body, fields] of cases) {
      const res = await api.post('/api/tasks/batch').send(body as object);
      expectProblem(res, 400);
      expect({ body, fields: fieldsOf(res) }).toEqual({ body, fields });
    }
    const unknownRef = await api
      .post('/api/tasks/batch')
      .send({ commands: [{ op: 'update', task_id: 'ghost', data: {} }] });
    expect(unknownRef.body.errors).toEqual([
      { field: 'commands.0.task_id', message: BATCH_MESSAGES.unknownReference },
    ]);
    const tooMany = Array.from({ length: BATCH_MAX_COMMANDS + 1 }, () => ({
      op: 'create',
      data: { title: 'a' },
    }));
    expectProblem(await api.post('/api/tasks/batch').send({ commands: tooMany }), 413);
    // Exactly the limit runs; nothing of the refused ones did.
    const full = await batch(api, tooMany.slice(1));
    expect(full.results).toHaveLength(BATCH_MAX_COMMANDS);
    expect((await api.get('/api/tasks/stats').expect(200)).body.total).toBe(BATCH_MAX_COMMANDS + 1);
  });

  it('replays the whole answer under an Idempotency-Key, and refuses another body under it', async () => {
    const api = as(t.app, newUser());
    const commands = [
      { op: 'create', temp_id: 'a', data: { title: 'once' } },
      { op: 'complete', task_id: 'a' },
    ];
    const first = await batch(api, commands, 'batch-key-1');
    const res = await api.post('/api/tasks/batch').set('Idempotency-Key', 'batch-key-1').send({ commands });
    expect(res.status).toBe(200);
    expect(res.headers['idempotent-replayed']).toBe('true');
    expect(res.body).toEqual(first);
    expect((await list(api)).map((x) => x.title)).toEqual(['once']);
    const other = await api
      .post('/api/tasks/batch')
      .set('Idempotency-Key', 'batch-key-1')
      .send({ commands: commands.slice(0, 1) });
    expectProblem(other, 422);
  });

  it('an error that is no command’s fault undoes the whole batch: 503, nothing written', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const marker = `unavailable ${user}`;
    // A statement cancelled under this one title (57014: as by the statement timeout), for this test only.
    await t.db.query(`CREATE FUNCTION "test_batch_cancel"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'cancelled' USING ERRCODE = '57014'; END $$`);
    await t.db.query(`CREATE TRIGGER "test_batch_cancel" BEFORE INSERT ON tasks FOR EACH ROW
      WHEN (NEW.title = '${marker}') EXECUTE FUNCTION test_batch_cancel()`);
    try {
      const res = await api.post('/api/tasks/batch').send({
        commands: [
          { op: 'create', data: { title: 'first' } },
          { op: 'create', data: { title: marker } },
        ],
      });
      expectProblem(res, 503);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await t.db.query('DROP TRIGGER "test_batch_cancel" ON tasks');
      await t.db.query('DROP FUNCTION "test_batch_cancel"()');
    }
    expect(await list(api)).toEqual([]);
  });

  it('only ever touches the caller’s tasks', async () => {
    const owner = as(t.app, newUser());
    const stranger = as(t.app, newUser());
    const task = await create(owner, 'mine');
    const answer = await batch(stranger, [
      { op: 'update', task_id: task.id, data: { title: 'theirs' } },
      { op: 'delete', task_id: task.id },
      { op: 'create', data: { title: 'sub', parent_id: task.id } },
      { op: 'move', task_id: task.id, data: {} },
    ]);
    expect(answer.results.map((r) => r.status)).toEqual([404, 404, 400, 404]);
    expect((await list(owner)).map((x) => x.title)).toEqual(['mine']);
  });

  it('answers under /api/{user_id}/tasks/batch too', async () => {
    const user = newUser();
    const res = await as(t.app, user)
      .post(`/api/${user}/tasks/batch`)
      .send({ commands: [{ op: 'create', data: { title: 'x' } }] })
      .expect(200);
    expect(res.body.results[0].status).toBe(201);
  });
});

describe('a command PostgreSQL fails (the task limit, MAX_TASKS_PER_USER=2)', () => {
  const limited = useTestApp({ MAX_TASKS_PER_USER: '2' });

  it('is that command’s problem; the commands around it hold', async () => {
    const api = as(limited.app, newUser());
    const answer = await batch(api, [
      { op: 'create', temp_id: 'a', data: { title: 'a' } },
      { op: 'create', temp_id: 'b', data: { title: 'b' } },
      { op: 'create', temp_id: 'c', data: { title: 'c' } },
      { op: 'update', task_id: 'a', data: { title: 'a renamed' } },
      { op: 'complete', task_id: 'c' },
      { op: 'delete', task_id: 'b' },
      { op: 'create', data: { title: 'd' } },
    ]);
    expect(answer.results.map((r) => r.status)).toEqual([201, 201, 403, 200, 424, 204, 201]);
    expect(answer.results[2].error?.title).toBe('Task limit reached');
    expect(Object.keys(answer.temp_id_mapping).sort()).toEqual(['a', 'b']);
    expect((await list(api)).map((x) => x.title).sort()).toEqual(['a renamed', 'd']);
  });
});
