import type { Task } from '../src/tasks/dto/task.dto.js';
import { as, expectProblem, fieldsOf, useTestApp } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

// Recurring tasks (contract: "Recurring tasks"): the fields, their validation, completing (one
// transaction, exactly once under concurrency), skip, occurrences, completions, the filter.
const t = useTestApp({ RATE_LIMIT_USER_PER_MINUTE: '0' });

type Api = ReturnType<typeof as>;
interface Completion {
  occurrence: string;
  completed_at: string;
  completed_by: string;
}

const DAY = 86_400_000;
/** 09:00 UTC on the day `days` from today. */
const nineUtc = (days: number) => {
  const d = new Date();
  d.setUTCHours(9, 0, 0, 0);
  return new Date(d.getTime() + days * DAY);
};
const iso = (d: Date) => d.toISOString();

const create = async (api: Api, body: Record<string, unknown>): Promise<Task> => {
  const res = await api.post('/api/tasks').send({ title: 'water the plants', ...body });
  expect(res.status).toBe(201);
  return res.body as Task;
};
const daily = (api: Api, due: Date, extra: Record<string, unknown> = {}) =>
  create(api, { due_date: iso(due), recurrence: { rule: 'FREQ=DAILY' }, ...extra });
const get = async (api: Api, id: string): Promise<Task> =>
  (await api.get(`/api/tasks/${id}`).expect(200)).body as Task;
const history = async (api: Api, id: string): Promise<Completion[]> =>
  (await api.get(`/api/tasks/${id}/completions?limit=100`).expect(200)).body as Completion[];
const occurrences = async (api: Api, id: string, query = ''): Promise<string[]> =>
  ((await api.get(`/api/tasks/${id}/occurrences${query}`).expect(200)).body as { due_date: string }[]).map(
    (o) => o.due_date,
  );

describe('fields', () => {
  it('stores time_zone and recurrence (rule normalised, from defaulting to due); last_completed_at starts null', async () => {
    const api = as(t.app, newUser());
    const due = nineUtc(1);
    const task = await create(api, {
      due_date: iso(due),
      time_zone: 'Europe/Berlin',
      recurrence: { rule: 'RRULE:FREQ=WEEKLY;BYDAY=MO' },
    });
    expect(task).toMatchObject({
      due_date: iso(due),
      time_zone: 'Europe/Berlin',
      recurrence: { rule: expect.not.stringMatching(/^RRULE:/), from: 'due' },
      last_completed_at: null,
      completed: false,
    });
    expect(task.recurrence!.rule).toContain('FREQ=WEEKLY');
    expect(await get(api, task.id)).toEqual(task);
    // The series' start is not a field of the API.
    expect(Object.keys(task)).not.toContain('series_start');
  });

  it('stores a zone name as the runtime spells it, however it was written', async () => {
    const api = as(t.app, newUser());
    const task = await create(api, {
      due_date: iso(nineUtc(1)),
      time_zone: 'europe/BERLIN',
      recurrence: { rule: 'FREQ=DAILY' },
    });
    expect(task.time_zone).toBe('Europe/Berlin');
    const patched = await api.patch(`/api/tasks/${task.id}`).send({ time_zone: 'utc' }).expect(200);
    expect(patched.body.time_zone).toBe('UTC');
  });

  it('a task that does not repeat has time_zone, recurrence and last_completed_at null', async () => {
    const task = await create(as(t.app, newUser()), {});
    expect(task).toMatchObject({ time_zone: null, recurrence: null, last_completed_at: null });
  });
});

describe('validation: a 400 naming the field', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['an unknown zone', { time_zone: 'Mars/Olympus_Mons' }, 'time_zone'],
    ['a zone that is not a string', { time_zone: 3 }, 'time_zone'],
    ['a recurrence without a due_date', { recurrence: { rule: 'FREQ=DAILY' } }, 'due_date'],
    [
      'an unsupported FREQ',
      { due_date: iso(nineUtc(1)), recurrence: { rule: 'FREQ=SECONDLY' } },
      'recurrence.rule',
    ],
    [
      'malformed rule text',
      { due_date: iso(nineUtc(1)), recurrence: { rule: 'every day' } },
      'recurrence.rule',
    ],
    [
      'a rule over 500 characters',
      { due_date: iso(nineUtc(1)), recurrence: { rule: `FREQ=DAILY;${'X'.repeat(500)}` } },
      'recurrence.rule',
    ],
    [
      'a rule with no future occurrence',
      { due_date: iso(nineUtc(-10)), recurrence: { rule: 'FREQ=DAILY;COUNT=2' } },
      'recurrence.rule',
    ],
    [
      'an unknown from',
      { due_date: iso(nineUtc(1)), recurrence: { rule: 'FREQ=DAILY', from: 'later' } },
      'recurrence.from',
    ],
    [
      'an unknown field in recurrence',
      { due_date: iso(nineUtc(1)), recurrence: { rule: 'FREQ=DAILY', x: 1 } },
      'recurrence.x',
    ],
  ];
  it.each(cases)('create with %s', async (_name, body, field) => {
    const res = await as(t.app, newUser())
      .post('/api/tasks')
      .send({ title: 'x', ...body });
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual([field]);
    const message = (res.body as { errors: { message: string }[] }).errors[0].message;
    expect(message.length).toBeGreaterThan(3);
  });

  it('a rule error carries the engine’s reason', async () => {
    const res = await as(t.app, newUser())
      .post('/api/tasks')
      .send({
        title: 'x',
        due_date: iso(nineUtc(1)),
        recurrence: { rule: 'FREQ=DAILY;COUNT=3;UNTIL=20300101T000000Z' },
      });
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['recurrence.rule']);
  });

  it('clearing the due_date of a recurring task, or making a task without one repeat, names due_date', async () => {
    const api = as(t.app, newUser());
    const task = await daily(api, nineUtc(1));
    const cleared = await api.patch(`/api/tasks/${task.id}`).send({ due_date: null });
    expectProblem(cleared, 400);
    expect(fieldsOf(cleared)).toEqual(['due_date']);
    const plain = await create(api, {});
    const res = await api.patch(`/api/tasks/${plain.id}`).send({ recurrence: { rule: 'FREQ=DAILY' } });
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['due_date']);
    expect(await get(api, task.id)).toEqual(task);
    expect(await get(api, plain.id)).toEqual(plain);
  });

  it('occurrence only with completed: true, and a date-time', async () => {
    const api = as(t.app, newUser());
    const task = await daily(api, nineUtc(1));
    for (const body of [
      { occurrence: task.due_date },
      { completed: false, occurrence: task.due_date },
      { completed: true, occurrence: 'soon' },
    ]) {
      const res = await api.patch(`/api/tasks/${task.id}/complete`).send(body);
      expectProblem(res, 400);
      expect(fieldsOf(res)).toEqual(['occurrence']);
    }
    expect(await get(api, task.id)).toEqual(task);
  });

  it('listing: recurring must be true or false', async () => {
    const res = await as(t.app, newUser()).get('/api/tasks?recurring=yes');
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['recurring']);
  });
});

describe('completing', () => {
  it('PATCH …/complete advances to the next occurrence, records it, and answers completed: false, version +1', async () => {
    const api = as(t.app, newUser());
    const due = nineUtc(2);
    const task = await daily(api, due);
    const res = await api.patch(`/api/tasks/${task.id}/complete`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      completed: false,
      due_date: iso(new Date(due.getTime() + DAY)),
      version: task.version + 1,
      last_completed_at: expect.any(String),
    });
    expect(res.headers.etag).toBe(`"${task.version + 1}"`);
    const done = await history(api, task.id);
    expect(done).toEqual([
      { occurrence: iso(due), completed_at: res.body.last_completed_at, completed_by: expect.any(String) },
    ]);
  });

  it('PATCH and PUT with completed: true advance too; completed: false changes nothing', async () => {
    const api = as(t.app, newUser());
    const due = nineUtc(1);
    const task = await daily(api, due);
    const patched = (await api.patch(`/api/tasks/${task.id}`).send({ completed: true }).expect(200))
      .body as Task;
    expect(patched).toMatchObject({
      completed: false,
      due_date: iso(new Date(due.getTime() + DAY)),
      version: 2,
    });
    const put = (
      await api
        .put(`/api/tasks/${task.id}`)
        .send({
          title: task.title,
          due_date: patched.due_date,
          recurrence: patched.recurrence,
          completed: true,
        })
        .expect(200)
    ).body as Task;
    expect(put).toMatchObject({
      completed: false,
      due_date: iso(new Date(due.getTime() + 2 * DAY)),
      version: 3,
    });
    for (const send of [
      () => api.patch(`/api/tasks/${task.id}`).send({ completed: false }),
      () => api.patch(`/api/tasks/${task.id}/complete`).send({ completed: false }),
    ])
      expect((await send().expect(200)).body).toEqual(put);
    expect(await history(api, task.id)).toHaveLength(2);
  });

  it('from: due skips missed occurrences: one completion clears a backlog', async () => {
    const api = as(t.app, newUser());
    const task = await daily(api, nineUtc(-10));
    const res = (await api.patch(`/api/tasks/${task.id}/complete`).expect(200)).body as Task;
    const next = new Date(res.due_date!);
    // The first 09:00 UTC after now.
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - DAY).toBeLessThanOrEqual(Date.now());
    expect(next.getUTCHours()).toBe(9);
    expect((await history(api, task.id)).map((c) => c.occurrence)).toEqual([task.due_date]);
  });

  it('from: completion counts from the day it was done', async () => {
    const api = as(t.app, newUser());
    const task = await create(api, {
      due_date: iso(nineUtc(-10)),
      recurrence: { rule: 'FREQ=DAILY;INTERVAL=3', from: 'completion' },
    });
    const res = (await api.patch(`/api/tasks/${task.id}/complete`).expect(200)).body as Task;
    expect(res.due_date).toBe(iso(nineUtc(3)));
  });

  it('in the task’s zone: daily at 09:00 Europe/Berlin stays 09:00 local across the spring change', async () => {
    const api = as(t.app, newUser());
    const task = await create(api, {
      due_date: '2027-03-27T09:00:00+01:00',
      time_zone: 'Europe/Berlin',
      recurrence: { rule: 'FREQ=DAILY' },
    });
    const res = (await api.patch(`/api/tasks/${task.id}/complete`).expect(200)).body as Task;
    expect(res.due_date).toBe('2027-03-28T07:00:00.000Z'); // 09:00 CEST
  });

  it('resets the subtasks to not completed', async () => {
    const api = as(t.app, newUser());
    const task = await daily(api, nineUtc(1));
    const sub = await create(api, { title: 'fill the can', parent_id: task.id, completed: true });
    await api.patch(`/api/tasks/${task.id}/complete`).expect(200);
    expect(await get(api, sub.id)).toMatchObject({ completed: false, version: sub.version + 1 });
  });

  it('the last occurrence (COUNT) completes the task for good', async () => {
    const api = as(t.app, newUser());
    const due = nineUtc(1);
    const task = await daily(api, due, { recurrence: { rule: 'FREQ=DAILY;COUNT=2' } });
    const first = (await api.patch(`/api/tasks/${task.id}/complete`).expect(200)).body as Task;
    expect(first).toMatchObject({ completed: false, due_date: iso(new Date(due.getTime() + DAY)) });
    const last = (await api.patch(`/api/tasks/${task.id}/complete`).expect(200)).body as Task;
    expect(last).toMatchObject({ completed: true, due_date: first.due_date, version: 3 });
    expect((await history(api, task.id)).map((c) => c.occurrence)).toEqual([first.due_date, task.due_date]);
    expect(await occurrences(api, task.id, `?from=${encodeURIComponent(iso(nineUtc(3)))}`)).toEqual([]);
  });

  it('with occurrence: completes that occurrence only; a stale one changes nothing', async () => {
    const api = as(t.app, newUser());
    const task = await daily(api, nineUtc(1));
    const done = (
      await api
        .patch(`/api/tasks/${task.id}/complete`)
        .send({ completed: true, occurrence: task.due_date })
        .expect(200)
    ).body as Task;
    expect(done.version).toBe(2);
    // A retry of the same click: the answer is the current task, nothing changed.
    const retry = await api
      .patch(`/api/tasks/${task.id}`)
      .send({ completed: true, occurrence: task.due_date, title: 'renamed' })
      .expect(200);
    expect(retry.body).toEqual(done);
    expect(await history(api, task.id)).toHaveLength(1);
  });

  it('50 concurrent completions of the same occurrence advance it exactly once', async () => {
    const api = as(t.app, newUser());
    const task = await daily(api, nineUtc(1));
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.patch(`/api/tasks/${task.id}/complete`).send({ completed: true, occurrence: task.due_date }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    const now = await get(api, task.id);
    expect(now).toMatchObject({ version: 2, due_date: iso(new Date(Date.parse(task.due_date!) + DAY)) });
    expect(answers.every((r) => (r.body as Task).version === 2)).toBe(true);
    expect((await history(api, task.id)).map((c) => c.occurrence)).toEqual([task.due_date]);
  });

  it('50 concurrent completions with the same If-Match: exactly one succeeds, the others are 412', async () => {
    const api = as(t.app, newUser());
    const task = await daily(api, nineUtc(1));
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.patch(`/api/tasks/${task.id}/complete`).set('If-Match', `"${task.version}"`).send({}),
      ),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(49).fill(412)]);
    expect((await get(api, task.id)).version).toBe(2);
    expect(await history(api, task.id)).toHaveLength(1);
  });

  it('a batch complete advances it, and /changes sees it as one change', async () => {
    const api = as(t.app, newUser());
    const task = await daily(api, nineUtc(1));
    const { sync_token: before } = (await api.get('/api/tasks/changes').expect(200)).body as {
      sync_token: string;
    };
    const answer = await api
      .post('/api/tasks/batch')
      .send({
        commands: [
          { op: 'complete', task_id: task.id, data: { completed: true, occurrence: task.due_date } },
        ],
      })
      .expect(200);
    const advanced = answer.body.results[0].task as Task;
    expect(answer.body.results[0].status).toBe(200);
    expect(advanced).toMatchObject({ completed: false, version: 2 });
    expect(advanced.due_date).not.toBe(task.due_date);
    const changes = (await api.get(`/api/tasks/changes?since=${before}`).expect(200)).body as {
      changes: Task[];
    };
    expect(changes.changes).toEqual([advanced]);
    expect(await history(api, task.id)).toHaveLength(1);
  });
});

describe('restarting the series', () => {
  it('a new due_date restarts it (COUNT counts again); a title change does not', async () => {
    const api = as(t.app, newUser());
    const task = await daily(api, nineUtc(1), { recurrence: { rule: 'FREQ=DAILY;COUNT=3' } });
    await api.patch(`/api/tasks/${task.id}/complete`).expect(200);
    expect(await occurrences(api, task.id)).toHaveLength(2);
    await api.patch(`/api/tasks/${task.id}`).send({ title: 'renamed' }).expect(200);
    expect(await occurrences(api, task.id)).toHaveLength(2);
    // A PUT of the values the task already has (a client that always sends the whole task) neither.
    const now = await get(api, task.id);
    await api
      .put(`/api/tasks/${task.id}`)
      .send({ title: 'renamed again', due_date: now.due_date, recurrence: now.recurrence })
      .expect(200);
    expect(await occurrences(api, task.id)).toHaveLength(2);
    const moved = iso(nineUtc(5));
    await api.patch(`/api/tasks/${task.id}`).send({ due_date: moved }).expect(200);
    expect(await occurrences(api, task.id)).toEqual([moved, iso(nineUtc(6)), iso(nineUtc(7))]);
  });

  it('recurrence: null ends it: completing then completes the task', async () => {
    const api = as(t.app, newUser());
    const task = await daily(api, nineUtc(1));
    await api.patch(`/api/tasks/${task.id}`).send({ recurrence: null }).expect(200);
    const done = (await api.patch(`/api/tasks/${task.id}/complete`).expect(200)).body as Task;
    expect(done).toMatchObject({ completed: true, recurrence: null, due_date: task.due_date });
  });
});

describe('POST /api/tasks/{id}/skip', () => {
  it('moves to the next occurrence without recording a completion; If-Match honoured', async () => {
    const api = as(t.app, newUser());
    const due = nineUtc(1);
    const task = await daily(api, due);
    const stale = await api.post(`/api/tasks/${task.id}/skip`).set('If-Match', '"7"');
    expectProblem(stale, 412);
    const res = await api.post(`/api/tasks/${task.id}/skip`).set('If-Match', `"${task.version}"`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      due_date: iso(new Date(due.getTime() + DAY)),
      version: 2,
      last_completed_at: null,
    });
    expect(await history(api, task.id)).toEqual([]);
  });

  it('a task that does not repeat is 409; a foreign one 404', async () => {
    const api = as(t.app, newUser());
    const plain = await create(api, { due_date: iso(nineUtc(1)) });
    expectProblem(await api.post(`/api/tasks/${plain.id}/skip`), 409);
    expect(await get(api, plain.id)).toEqual(plain);
    const theirs = await daily(as(t.app, newUser()), nineUtc(1));
    for (const path of ['skip']) expectProblem(await api.post(`/api/tasks/${theirs.id}/${path}`), 404);
    for (const path of ['occurrences', 'completions'])
      expectProblem(await api.get(`/api/tasks/${theirs.id}/${path}`), 404);
    expectProblem(
      await api
        .patch(`/api/tasks/${theirs.id}/complete`)
        .send({ completed: true, occurrence: theirs.due_date }),
      404,
    );
  });
});

describe('GET /api/tasks/{id}/occurrences', () => {
  it('from the due_date by default, limit 100; from/to/limit bound it', async () => {
    const api = as(t.app, newUser());
    const due = nineUtc(1);
    const task = await daily(api, due);
    const all = await occurrences(api, task.id);
    expect(all).toHaveLength(100);
    expect(all.slice(0, 3)).toEqual([iso(due), iso(nineUtc(2)), iso(nineUtc(3))]);
    const from = encodeURIComponent(iso(nineUtc(3)));
    const to = encodeURIComponent(iso(nineUtc(6)));
    expect(await occurrences(api, task.id, `?from=${from}&to=${to}`)).toEqual([
      iso(nineUtc(3)),
      iso(nineUtc(4)),
      iso(nineUtc(5)),
    ]);
    expect(await occurrences(api, task.id, '?limit=1000')).toHaveLength(1000);
    expect(await occurrences(api, task.id, '?limit=2')).toHaveLength(2);
  });

  it('rejects a to more than 5 years after from, and limits outside 1–1000', async () => {
    const api = as(t.app, newUser());
    const task = await daily(api, nineUtc(1));
    const far = encodeURIComponent(iso(new Date(Date.parse(task.due_date!) + 6 * 366 * DAY)));
    const res = await api.get(`/api/tasks/${task.id}/occurrences?to=${far}`);
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['to']);
    for (const limit of ['0', '1001', 'x']) {
      const bad = await api.get(`/api/tasks/${task.id}/occurrences?limit=${limit}`);
      expectProblem(bad, 400);
      expect(fieldsOf(bad)).toEqual(['limit']);
    }
  });

  it('a task that does not repeat has its due_date; one without none', async () => {
    const api = as(t.app, newUser());
    const due = iso(nineUtc(1));
    expect(await occurrences(api, (await create(api, { due_date: due })).id)).toEqual([due]);
    expect(await occurrences(api, (await create(api, {})).id)).toEqual([]);
  });
});

describe('GET /api/tasks/{id}/completions', () => {
  it('pages newest first by keyset, with X-Total-Count and Link', async () => {
    const api = as(t.app, newUser());
    const task = await daily(api, nineUtc(1));
    const occurrencesDone: string[] = [];
    let current = task;
    for (let i = 0; i < 5; i++) {
      occurrencesDone.push(current.due_date!);
      current = (await api.patch(`/api/tasks/${task.id}/complete`).expect(200)).body as Task;
    }
    const seen: Completion[] = [];
    let url: string | undefined = `/api/tasks/${task.id}/completions?limit=2`;
    let pages = 0;
    while (url) {
      const res: { headers: Record<string, string>; body: unknown } = await api.get(url).expect(200);
      expect(res.headers['x-total-count']).toBe('5');
      seen.push(...(res.body as Completion[]));
      pages++;
      url = /<([^>]+)>; rel="next"/.exec(res.headers.link ?? '')?.[1];
    }
    expect(pages).toBe(3);
    expect(seen.map((c) => c.occurrence)).toEqual([...occurrencesDone].reverse());
    const times = seen.map((c) => c.completed_at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('a cursor of another task, or an edited one, is 400 naming cursor', async () => {
    const api = as(t.app, newUser());
    const a = await daily(api, nineUtc(1));
    const b = await daily(api, nineUtc(1));
    for (const task of [a, a, a]) await api.patch(`/api/tasks/${task.id}/complete`).expect(200);
    const first = await api.get(`/api/tasks/${a.id}/completions?limit=1`).expect(200);
    const cursor = new URL(`http://x${/<([^>]+)>/.exec(first.headers.link)![1]}`).searchParams.get('cursor')!;
    for (const url of [
      `/api/tasks/${b.id}/completions?cursor=${cursor}`,
      `/api/tasks/${a.id}/completions?cursor=x${cursor}`,
    ]) {
      const res = await api.get(url);
      expectProblem(res, 400);
      expect(fieldsOf(res)).toEqual(['cursor']);
    }
  });
});

describe('listing', () => {
  it('recurring=true|false filters, and X-Total-Count counts the matches', async () => {
    const api = as(t.app, newUser());
    const repeating = await daily(api, nineUtc(1));
    const plain = await create(api, {});
    const yes = await api.get('/api/tasks?recurring=true').expect(200);
    expect((yes.body as Task[]).map((x) => x.id)).toEqual([repeating.id]);
    expect(yes.headers['x-total-count']).toBe('1');
    const no = await api.get('/api/tasks?recurring=false').expect(200);
    expect((no.body as Task[]).map((x) => x.id)).toEqual([plain.id]);
  });
});

describe('access in a shared list (contract "Lists and sharing")', () => {
  /** A daily task with a completed subtask in a list of the owner's, an editor and a viewer of it, and a stranger. */
  const shared = async () => {
    const [ownerId, editorId, viewerId] = [newUser(), newUser(), newUser()];
    const owner = as(t.app, ownerId);
    const list = (await owner.post('/api/lists').send({ name: 'home' }).expect(201)).body as { id: string };
    // Memberships directly in SQL, as test/lists.e2e-spec.ts makes them (invitations come later).
    for (const [user, role] of [
      [editorId, 'editor'],
      [viewerId, 'viewer'],
    ])
      await t.db.query('INSERT INTO list_members (list_id, user_id, role) VALUES ($1, $2, $3)', [
        list.id,
        user,
        role,
      ]);
    const task = await daily(owner, nineUtc(1), { list_id: list.id });
    const sub = await create(owner, {
      title: 'fill the can',
      parent_id: task.id,
      list_id: list.id,
      completed: true,
    });
    return {
      owner,
      task: await get(owner, task.id),
      sub,
      editor: as(t.app, editorId),
      editorId,
      viewer: as(t.app, viewerId),
      stranger: as(t.app, newUser()),
    };
  };

  it('a viewer reads occurrences and completions, but complete and skip are 403 and nothing changes', async () => {
    const { owner, task, sub, viewer } = await shared();
    expect(await occurrences(viewer, task.id, '?limit=2')).toEqual([task.due_date, iso(nineUtc(2))]);
    expect(await history(viewer, task.id)).toEqual([]);
    for (const res of [
      await viewer.patch(`/api/tasks/${task.id}/complete`),
      await viewer
        .patch(`/api/tasks/${task.id}/complete`)
        .send({ completed: true, occurrence: task.due_date }),
      await viewer.patch(`/api/tasks/${task.id}`).send({ completed: true }),
      await viewer.post(`/api/tasks/${task.id}/skip`),
    ]) {
      expectProblem(res, 403);
      expect(res.body.title).toBe('Read-only list');
    }
    expect(await get(owner, task.id)).toEqual(task);
    expect(await get(owner, sub.id)).toEqual(sub);
    expect(await history(owner, task.id)).toEqual([]);
  });

  it('a stranger gets 404 on occurrences, completions, complete and skip', async () => {
    const { owner, task, stranger } = await shared();
    for (const res of [
      await stranger.get(`/api/tasks/${task.id}/occurrences`),
      await stranger.get(`/api/tasks/${task.id}/completions`),
      await stranger
        .patch(`/api/tasks/${task.id}/complete`)
        .send({ completed: true, occurrence: task.due_date }),
      await stranger.post(`/api/tasks/${task.id}/skip`),
    ])
      expectProblem(res, 404);
    expect(await get(owner, task.id)).toEqual(task);
  });

  it('an editor’s completion advances the owner’s task, resets its subtasks, records completed_by = the editor', async () => {
    const { owner, task, sub, editor, editorId } = await shared();
    const { sync_token: before } = (await owner.get('/api/tasks/changes').expect(200)).body as {
      sync_token: string;
    };
    const advanced = (await editor.patch(`/api/tasks/${task.id}/complete`).expect(200)).body as Task;
    expect(advanced).toMatchObject({
      completed: false,
      version: task.version + 1,
      due_date: iso(nineUtc(2)),
    });
    expect(await get(owner, task.id)).toEqual(advanced);
    expect(await get(owner, sub.id)).toMatchObject({ completed: false, version: sub.version + 1 });
    expect(await history(owner, task.id)).toEqual([
      { occurrence: task.due_date, completed_at: expect.any(String), completed_by: editorId },
    ]);
    // Both writes are changes in the owner's sequence.
    const changes = (await owner.get(`/api/tasks/changes?since=${before}`).expect(200)).body as {
      changes: Task[];
    };
    expect(changes.changes.map((c) => c.id).sort()).toEqual([task.id, sub.id].sort());
  });
});
