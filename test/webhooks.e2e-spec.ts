import { setTimeout as sleep } from 'node:timers/promises';
import type { ListDto } from '../src/lists/dto/list.dto.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { TASK_COLUMNS } from '../src/tasks/task.schema.js';
import type { CreatedWebhookDto, WebhookDeliveryDto, WebhookDto } from '../src/webhooks/dto/webhook.dto.js';
import { TASK_TIMESTAMPS } from '../src/webhooks/webhook-payload.js';
import { WEBHOOK_DISABLED_BY_OWNER, WEBHOOK_LIMITS } from '../src/webhooks/webhook.schema.js';
import { eventually } from './helpers/eventually.js';
import { as, expectProblem, fieldsOf, useTestApp } from './helpers/app.js';
import { useDirectQuery } from './helpers/pg.js';
import { newUser } from './helpers/tokens.js';
import { hookTo as hook, useWebhookReceivers, type WebhookReceiver } from './helpers/webhook-receiver.js';

// Short ticks and a short first retry, so deliveries and their retries happen within the test's
// waits (real configuration: the same variables a deployment sets). Receivers are local (setup-env.ts
// allows private addresses for the whole run; the address rule is delivery-address.e2e-spec.ts's).
const ENV = { REMINDER_TICK_MS: '200', DELIVERY_TICK_MS: '200', DELIVERY_RETRY_BASE_MS: '300' };
const t = useTestApp(ENV);
type Api = ReturnType<typeof as>;

const query = useDirectQuery();

const receiver = useWebhookReceivers();
const makeTask = async (api: Api, body: Record<string, unknown>): Promise<Task> =>
  (await api.post('/api/tasks').send(body).expect(201)).body;
/** A task with a reminder that fires about now. */
const remindSoon = async (api: Api) => {
  const task = await makeTask(api, { title: 'call the airline' });
  await api
    .post(`/api/tasks/${task.id}/reminders`)
    .send({ at: new Date(Date.now() + 300).toISOString() })
    .expect(201);
  return task;
};
/** A webhook as it is listed: what its creation answered, without the secret. */
const withoutSecret = (made: CreatedWebhookDto): WebhookDto => {
  const shown: Partial<CreatedWebhookDto> = { ...made };
  delete shown.secret;
  return shown as WebhookDto;
};
const logOf = async (api: Api, id: string): Promise<WebhookDeliveryDto[]> =>
  (await api.get(`/api/webhooks/${id}/deliveries`).expect(200)).body;

describe('webhook routes', () => {
  it('makes a webhook with a whsec_ secret shown once, lists it without, deletes it', async () => {
    const api = as(t.app, newUser());
    const made = await api
      .post('/api/webhooks')
      .send({ url: 'https://example.com/hooks/tasks', events: ['reminder.fired', 'task.completed'] })
      .expect(201);
    expect(made.body).toEqual({
      id: expect.any(String),
      url: 'https://example.com/hooks/tasks',
      events: ['reminder.fired', 'task.completed'],
      enabled: true,
      disabled_reason: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const listed: WebhookDto[] = (await api.get('/api/webhooks').expect(200)).body;
    expect(listed).toEqual([withoutSecret(made.body)]);
    expect(await logOf(api, made.body.id)).toEqual([]);
    await api.delete(`/api/webhooks/${made.body.id}`).expect(204);
    expect((await api.get('/api/webhooks').expect(200)).body).toEqual([]);
    expectProblem(await api.delete(`/api/webhooks/${made.body.id}`), 404);
  });

  it('names the field of every invalid input', async () => {
    const api = as(t.app, newUser());
    const bad = async (body: unknown, fields: string[]) => {
      const res = await api.post('/api/webhooks').send(body as object);
      expectProblem(res, 400);
      expect(fieldsOf(res)).toEqual(fields);
    };
    await bad({ events: ['task.created'] }, ['url']);
    await bad({ url: 'not a url', events: ['task.created'] }, ['url']);
    await bad({ url: 'ftp://example.com/x', events: ['task.created'] }, ['url']);
    await bad({ url: 'https://user:pw@example.com/x', events: ['task.created'] }, ['url']);
    await bad({ url: `https://example.com/${'x'.repeat(2048)}`, events: ['task.created'] }, ['url']);
    await bad({ url: 'https://example.com/x', events: [] }, ['events']);
    await bad({ url: 'https://example.com/x', events: ['task.created', 'task.created'] }, ['events']);
    await bad({ url: 'https://example.com/x', events: ['task.exploded'] }, ['events']);
    await bad({ url: 'https://example.com/x', events: 'task.created' }, ['events']);
    await bad({ url: 'https://example.com/x', events: ['task.created'], secret: 'mine' }, ['secret']);
    expectProblem(await api.get('/api/webhooks/not-a-uuid/deliveries'), 400);
    expect((await api.get('/api/webhooks').expect(200)).body).toEqual([]);
  });

  it(`allows ${WEBHOOK_LIMITS.perUser} per user, also when created all at once`, async () => {
    const api = as(t.app, newUser());
    const results = await Promise.all(
      Array.from({ length: WEBHOOK_LIMITS.perUser + 3 }, (_, i) =>
        api.post('/api/webhooks').send({ url: `https://example.com/${i}`, events: ['task.created'] }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(WEBHOOK_LIMITS.perUser);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(3);
    for (const res of refused) {
      expectProblem(res, 403);
      expect(res.body.title).toBe('Webhook limit reached');
    }
    expect((await api.get('/api/webhooks').expect(200)).body).toHaveLength(WEBHOOK_LIMITS.perUser);
  });

  it("answers 404 for another user's webhook on every route, and never lists it", async () => {
    const mine = as(t.app, newUser());
    const theirs = as(t.app, newUser());
    const made: CreatedWebhookDto = (
      await mine
        .post('/api/webhooks')
        .send({ url: 'https://example.com/a', events: ['task.created'] })
        .expect(201)
    ).body;
    expect((await theirs.get('/api/webhooks').expect(200)).body).toEqual([]);
    expectProblem(await theirs.get(`/api/webhooks/${made.id}/deliveries`), 404);
    expectProblem(await theirs.delete(`/api/webhooks/${made.id}`), 404);
    expectProblem(await theirs.patch(`/api/webhooks/${made.id}`).send({ enabled: false }), 404);
    expect((await mine.get('/api/webhooks').expect(200)).body).toHaveLength(1);
    expect((await mine.get('/api/webhooks').expect(200)).body[0].enabled).toBe(true);
  });

  it('changes url and events with PATCH, keeps the secret, and names the field of every invalid input', async () => {
    const api = as(t.app, newUser());
    const r = await receiver();
    const made = await hook(api, r, ['task.created']);
    const shown = withoutSecret(made);
    const bad = async (body: unknown, fields: string[]) => {
      const res = await api.patch(`/api/webhooks/${made.id}`).send(body as object);
      expectProblem(res, 400);
      expect(fieldsOf(res)).toEqual(fields);
    };
    await bad({ url: 'ftp://example.com/x' }, ['url']);
    await bad({ events: [] }, ['events']);
    await bad({ events: ['task.exploded'] }, ['events']);
    await bad({ enabled: 'yes' }, ['enabled']);
    await bad({ secret: 'mine' }, ['secret']);
    expectProblem(await api.patch('/api/webhooks/not-a-uuid').send({ enabled: true }), 400);
    expect((await api.get('/api/webhooks').expect(200)).body).toEqual([shown]);

    const changed = (
      await api
        .patch(`/api/webhooks/${made.id}`)
        .send({ events: ['task.updated'] })
        .expect(200)
    ).body as WebhookDto;
    expect(changed).toEqual({ ...shown, events: ['task.updated'] });
    // Only the new events are delivered, signed with the secret shown at creation.
    const task = await makeTask(api, { title: 'not delivered: task.created is no longer wanted' });
    await api.patch(`/api/tasks/${task.id}`).send({ title: 'delivered' }).expect(200);
    await eventually(() => r.received.length > 0);
    await sleep(500);
    expect(r.received.map((x) => x.verified?.type)).toEqual(['task.updated']);
  });
});

describe('deliveries', () => {
  it('delivers a fired reminder, signed (Webhook.verify), with the notification id as webhook-id', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const r = await receiver();
    const webhook = await hook(api, r, ['reminder.fired']);
    const task = await remindSoon(api);
    const [got] = await eventually(() => r.received.length > 0 && r.received);
    expect(got.error).toBeUndefined();
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const [note] = await query<{ id: string; body: Record<string, unknown> }>(
      `SELECT id, body FROM notifications WHERE user_id = $1`,
      [user],
    );
    expect(got.id).toBe(note.id);
    expect(got.verified).toEqual({ type: 'reminder.fired', timestamp: expect.any(String), data: note.body });
    expect((got.verified!.data.task as Task).id).toBe(task.id);
    const [logged] = await eventually(async () => {
      const log = await logOf(api, webhook.id);
      return log[0]?.status === 'delivered' && log;
    });
    expect(logged).toEqual({
      webhook_id: note.id,
      event: 'reminder.fired',
      status: 'delivered',
      attempts: 1,
      last_status: 200,
      last_error: null,
      created_at: expect.any(String),
      finished_at: expect.any(String),
    });
  });

  it('retries a 503 and then a 500 with the same webhook-id, and nothing more once delivered', async () => {
    const api = as(t.app, newUser());
    const r = await receiver((n) => ({ status: [503, 500][n] ?? 200 }));
    const webhook = await hook(api, r, ['reminder.fired']);
    await remindSoon(api);
    await eventually(() => r.received.length >= 3);
    await sleep(1500);
    expect(r.received.map((x) => x.status)).toEqual([503, 500, 200]);
    expect(new Set(r.received.map((x) => x.id)).size).toBe(1);
    expect(r.received.every((x) => x.verified)).toBe(true);
    // Each attempt signs anew (its own timestamp); the body is the same every time.
    expect(new Set(r.received.map((x) => x.body)).size).toBe(1);
    const [logged] = await logOf(api, webhook.id);
    expect(logged).toMatchObject({ status: 'delivered', attempts: 3, last_status: 200, last_error: null });
  });

  it('honours Retry-After on a 429 (seconds) and a 503 (an HTTP date)', async () => {
    const api = as(t.app, newUser());
    const r = await receiver((n) =>
      n === 0
        ? { status: 429, headers: { 'retry-after': '2' } }
        : n === 1
          ? { status: 503, headers: { 'retry-after': new Date(Date.now() + 3000).toUTCString() } }
          : { status: 200 },
    );
    await hook(api, r, ['reminder.fired']);
    await remindSoon(api);
    await eventually(() => r.received.length >= 3, 30_000);
    const [first, second, third] = r.received;
    // Without Retry-After the first retry would come after 150-300 ms (DELIVERY_RETRY_BASE_MS=300).
    expect(second.at - first.at).toBeGreaterThanOrEqual(1900);
    // An HTTP date has whole seconds: at least 2 s of the 3 asked for are left after rounding down.
    expect(third.at - second.at).toBeGreaterThanOrEqual(1900);
    expect(new Set(r.received.map((x) => x.id)).size).toBe(1);
  });

  it('disables the webhook on a 410 and delivers nothing more to it', async () => {
    const api = as(t.app, newUser());
    const r = await receiver(() => ({ status: 410 }));
    const webhook = await hook(api, r, ['reminder.fired', 'task.created']);
    await remindSoon(api);
    await eventually(async () => {
      const [listed] = (await api.get('/api/webhooks').expect(200)).body as WebhookDto[];
      return !listed.enabled && listed;
    });
    const [listed] = (await api.get('/api/webhooks').expect(200)).body as WebhookDto[];
    expect(listed.disabled_reason).toMatch(/410/);
    const received = r.received.length;
    expect(received).toBeGreaterThanOrEqual(1);
    await makeTask(api, { title: 'after the 410' });
    await remindSoon(api);
    await sleep(2000);
    expect(r.received.length).toBe(received);
    const log = await logOf(api, webhook.id);
    expect(log.find((d) => d.last_status === 410)).toMatchObject({
      status: 'failed',
      last_error: 'HTTP 410',
    });
    expect(log.every((d) => d.status === 'failed')).toBe(true);
  });

  it('turns a webhook disabled by a 410 back on with PATCH enabled: true; pausing it fails what waits', async () => {
    const api = as(t.app, newUser());
    const r = await receiver((n) => ({ status: n === 0 ? 410 : 200 }));
    const webhook = await hook(api, r, ['task.created']);
    await makeTask(api, { title: 'gone' });
    await eventually(async () => {
      const [listed] = (await api.get('/api/webhooks').expect(200)).body as WebhookDto[];
      return !listed.enabled && listed;
    });
    // Nothing is delivered while it is disabled, and that is not sent later.
    await makeTask(api, { title: 'while disabled' });
    const back = (await api.patch(`/api/webhooks/${webhook.id}`).send({ enabled: true }).expect(200))
      .body as WebhookDto;
    expect(back).toMatchObject({ enabled: true, disabled_reason: null });
    const after = await makeTask(api, { title: 'after it came back' });
    await eventually(() => r.received.length >= 2);
    await sleep(500);
    expect(r.received.map((x) => x.verified?.data.title)).toEqual(['gone', after.title]);

    // Paused by its owner: nothing is delivered, what waits fails, and the reason says who.
    r.answer(() => ({ status: 503 }));
    await makeTask(api, { title: 'waits for a retry' });
    await eventually(() => r.received.length >= 3);
    const paused = (await api.patch(`/api/webhooks/${webhook.id}`).send({ enabled: false }).expect(200))
      .body as WebhookDto;
    expect(paused).toMatchObject({ enabled: false, disabled_reason: WEBHOOK_DISABLED_BY_OWNER });
    const log = await logOf(api, webhook.id);
    expect(log.filter((d) => d.status === 'pending')).toEqual([]);
    expect(log[0]).toMatchObject({
      status: 'failed',
      last_error: `webhook disabled: ${WEBHOOK_DISABLED_BY_OWNER}`,
    });
    await makeTask(api, { title: 'while paused' });
    await sleep(1500);
    expect(r.received).toHaveLength(3);
  });

  it('records a failure for good on another 4xx, and does not follow a redirect', async () => {
    const api = as(t.app, newUser());
    const r = await receiver((n) =>
      n === 0 ? { status: 400 } : { status: 302, headers: { location: 'http://169.254.169.254/' } },
    );
    const webhook = await hook(api, r, ['task.created']);
    await makeTask(api, { title: 'one' });
    await eventually(() => r.received.length >= 1);
    await makeTask(api, { title: 'two' });
    const log = await eventually(async () => {
      const rows = await logOf(api, webhook.id);
      return rows.length === 2 && rows.every((d) => d.status === 'failed') && rows;
    });
    expect(log.map((d) => [d.last_status, d.last_error, d.attempts])).toEqual([
      [302, 'HTTP 302: redirects are not followed', 1],
      [400, 'HTTP 400', 1],
    ]);
    await sleep(1000);
    expect(r.received).toHaveLength(2);
  });

  it('keeps the last 100 deliveries in the log, newest first', async () => {
    const api = as(t.app, newUser());
    const webhook: CreatedWebhookDto = (
      await api
        .post('/api/webhooks')
        .send({ url: 'https://example.com/log', events: ['task.created'] })
        .expect(201)
    ).body;
    // Finished deliveries straight into the table (none is sent).
    await query(
      `INSERT INTO deliveries (channel, webhook_id, message_id, event, payload, status, attempts, finished_at)
       SELECT 'webhook', $1, gen_random_uuid(), 'task.created', jsonb_build_object('n', n), 'delivered', 1, now()
         FROM generate_series(1, 105) AS n`,
      [webhook.id],
    );
    const log = await logOf(api, webhook.id);
    expect(log).toHaveLength(WEBHOOK_LIMITS.log);
    const [{ newest }] = await query<{ newest: string }>(
      `SELECT message_id AS newest FROM deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT 1`,
      [webhook.id],
    );
    expect(log[0].webhook_id).toBe(newest);
  });
});

describe('task events', () => {
  const makeList = async (api: Api, name: string): Promise<ListDto> =>
    (await api.post('/api/lists').send({ name }).expect(201)).body;

  it('delivers created, updated, completed and deleted of a shared list to a member, the task as the API shows it', async () => {
    const owner = newUser();
    const member = newUser();
    const ownerApi = as(t.app, owner);
    const memberApi = as(t.app, member);
    const list = await makeList(ownerApi, 'shared');
    await query(`INSERT INTO list_members (list_id, user_id, role) VALUES ($1, $2, 'editor')`, [
      list.id,
      member,
    ]);
    const r = await receiver();
    await hook(memberApi, r, ['task.created', 'task.updated', 'task.completed', 'task.deleted']);

    const task = await makeTask(ownerApi, {
      title: 'pack',
      list_id: list.id,
      due_date: '2027-01-02T03:04:05.678+01:00',
    });
    const updated: Task = (
      await ownerApi.patch(`/api/tasks/${task.id}`).send({ priority: 'high' }).expect(200)
    ).body;
    const completed: Task = (await ownerApi.patch(`/api/tasks/${task.id}/complete`).send({}).expect(200))
      .body;
    await ownerApi.delete(`/api/tasks/${task.id}`).expect(204);

    await eventually(() => r.received.length >= 4);
    await sleep(500);
    const events = r.received
      .map((x) => x.verified!)
      .sort((a, b) => Number(a.data.version ?? 99) - Number(b.data.version ?? 99));
    expect(r.received.every((x) => x.verified)).toBe(true);
    expect(events.map((e) => e.type)).toEqual([
      'task.created',
      'task.updated',
      'task.completed',
      'task.deleted',
    ]);
    expect(events[0].data).toEqual(task);
    expect(events[1].data).toEqual(updated);
    expect(events[2].data).toEqual(completed);
    expect(events[3].data).toEqual({ id: task.id, list_id: list.id });
    expect(new Set(r.received.map((x) => x.id)).size).toBe(4);
  });

  it("never delivers another user's tasks, nor a list's after its member left", async () => {
    const me = newUser();
    const other = newUser();
    const mine = await receiver();
    const theirs = await receiver();
    await hook(as(t.app, me), mine, ['task.created']);
    await hook(as(t.app, other), theirs, ['task.created']);
    const list = await makeList(as(t.app, other), 'was shared');
    await query(`INSERT INTO list_members (list_id, user_id, role) VALUES ($1, $2, 'editor')`, [list.id, me]);
    await query(`DELETE FROM list_members WHERE list_id = $1 AND user_id = $2`, [list.id, me]);

    const own = await makeTask(as(t.app, me), { title: 'mine alone' });
    await makeTask(as(t.app, other), { title: 'theirs', list_id: list.id });
    await eventually(() => mine.received.length >= 1 && theirs.received.length >= 1);
    await sleep(1000);
    expect(mine.received.map((x) => x.verified?.data.id)).toEqual([own.id]);
    expect(theirs.received.map((x) => x.verified?.data.title)).toEqual(['theirs']);
  });

  it("delivers task.deleted for each task of a deleted list, to the owner's and a member's webhooks", async () => {
    const owner = newUser();
    const member = newUser();
    const ownerApi = as(t.app, owner);
    const list = await makeList(ownerApi, 'to be deleted');
    await query(`INSERT INTO list_members (list_id, user_id, role) VALUES ($1, $2, 'viewer')`, [
      list.id,
      member,
    ]);
    const mine = await receiver();
    const theirs = await receiver();
    await hook(ownerApi, mine, ['task.deleted']);
    await hook(as(t.app, member), theirs, ['task.deleted']);
    const tasks = [
      await makeTask(ownerApi, { title: 'one', list_id: list.id }),
      await makeTask(ownerApi, { title: 'two', list_id: list.id }),
    ];
    await ownerApi.delete(`/api/lists/${list.id}`).expect(204);

    const expected = tasks
      .map((x) => ({ id: x.id, list_id: list.id }))
      .sort((a, b) => a.id.localeCompare(b.id));
    const got = (r: WebhookReceiver) =>
      r.received.map((x) => x.verified!.data).sort((a, b) => String(a.id).localeCompare(String(b.id)));
    await eventually(() => mine.received.length >= 2 && theirs.received.length >= 2);
    await sleep(500);
    expect(mine.received.every((x) => x.verified?.type === 'task.deleted')).toBe(true);
    expect(got(mine)).toEqual(expected);
    expect(got(theirs)).toEqual(expected);
  });

  it('writes no delivery for a task write that no webhook watches', async () => {
    const user = newUser();
    const api = as(t.app, user);
    // A webhook that wants reminders only does not watch the user's lists.
    await api
      .post('/api/webhooks')
      .send({ url: 'https://example.com/r', events: ['reminder.fired'] })
      .expect(201);
    const task = await makeTask(api, { title: 'quiet' });
    await api.patch(`/api/tasks/${task.id}`).send({ title: 'still quiet' }).expect(200);
    const [{ n }] = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE w.user_id = $1`,
      [user],
    );
    expect(n).toBe(0);
    expect(await query(`SELECT 1 FROM webhook_watchers WHERE user_id = $1`, [user])).toEqual([]);
  });

  it("knows every timestamp column of a task (the trigger's rows are shown through them)", async () => {
    const rows = await query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
        WHERE table_name = 'tasks' AND data_type = 'timestamp with time zone'`,
    );
    const shown = rows
      .map((r) => r.column_name)
      .filter((c) => (TASK_COLUMNS as readonly string[]).includes(c));
    expect(shown.sort()).toEqual([...TASK_TIMESTAMPS].sort());
  });
});
