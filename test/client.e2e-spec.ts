import {
  createTasksClient,
  nextCursor,
  ProblemError,
  subscribe,
  sync,
  type ReminderNotification,
  type Task,
  type TasksClient,
} from '../clients/typescript/src/index.js';
import { Database } from '../src/database/database.js';
import { useTestApp } from './helpers/app.js';
import { eventually } from './helpers/eventually.js';
import { firedOnce } from './helpers/notifications.js';
import { useDirectQuery } from './helpers/pg.js';
import { newUser, tokenFor } from './helpers/tokens.js';

// The generated TypeScript client against the running app: if the API and openapi.json (and so
// the client's types) drift apart, this stops compiling or fails.
// No clock skew: the subscribe() test's 2-second tokens end their streams on time.
const t = useTestApp({ JWT_CLOCK_SKEW_S: '0', REMINDER_TICK_MS: '200' });
const query = useDirectQuery();
let api: TasksClient;
const user = newUser();

beforeAll(async () => {
  await t.app.listen(0, '127.0.0.1');
  api = createTasksClient({ baseUrl: await t.app.getUrl(), getToken: () => tokenFor(user) });
});

it('creates, lists with a filter, toggles and deletes', async () => {
  const created = await api.POST('/api/tasks', {
    body: { title: 'From the typed client', tags: ['Client'], priority: 'high' },
  });
  expect(created.response.status).toBe(201);
  const task = created.data!;
  expect(task).toMatchObject({ title: 'From the typed client', tags: ['client'], user_id: user, version: 1 });
  await api.POST('/api/tasks', { body: { title: 'another' } });

  const listed = await api.GET('/api/tasks', { params: { query: { tag: 'client', status: 'pending' } } });
  expect(listed.data!.map((t) => t.id)).toEqual([task.id]);
  expect(listed.response.headers.get('X-Total-Count')).toBe('1');

  const page = await api.GET('/api/tasks', { params: { query: { limit: 1 } } });
  const cursor = nextCursor(page.response);
  expect(cursor).toBeDefined();
  const second = await api.GET('/api/tasks', { params: { query: { limit: 1, cursor } } });
  expect(second.data).toHaveLength(1);

  const toggled = await api.PATCH('/api/tasks/{id}/complete', {
    params: { path: { id: task.id }, header: { 'If-Match': '"1"' } },
  });
  expect(toggled.data).toMatchObject({ completed: true, version: 2 });

  const stats = await api.GET('/api/tasks/stats');
  expect(stats.data).toEqual({ total: 2, pending: 1, completed: 1, overdue: 0 });

  const removed = await api.DELETE('/api/tasks/{id}', { params: { path: { id: task.id } } });
  expect(removed.response.status).toBe(204);
  const gone = await api.GET('/api/tasks/{id}', { params: { path: { id: task.id } } });
  expect(gone.response.status).toBe(404);
  expect(gone.error).toMatchObject({ status: 404, title: 'Not Found' });
});

it('reports problems as typed errors', async () => {
  const bad = await api.POST('/api/tasks', { body: { title: '' } });
  expect(bad.response.status).toBe(400);
  expect(bad.error?.errors?.map((e) => e.field)).toEqual(['title']);
});

it('sync() keeps a store equal to the server, across deletes, and starts over on a foreign token', async () => {
  const owner = newUser();
  const client = createTasksClient({ baseUrl: await t.app.getUrl(), getToken: () => tokenFor(owner) });
  const tasks = new Map<string, Task>();
  const store = {
    put: (task: Task) => void tasks.set(task.id, task),
    remove: (id: string) => void tasks.delete(id),
    reset: () => tasks.clear(),
  };
  const a = (await client.POST('/api/tasks', { body: { title: 'a' } })).data!;
  await client.POST('/api/tasks', { body: { title: 'b' } });
  let { token, full } = await sync(client, store);
  expect(full).toBe(true);
  expect([...tasks.values()].map((task) => task.title).sort()).toEqual(['a', 'b']);

  await client.DELETE('/api/tasks/{id}', { params: { path: { id: a.id } } });
  await client.POST('/api/tasks', { body: { title: 'c' } });
  ({ token, full } = await sync(client, store, token));
  expect(full).toBe(false);
  expect([...tasks.values()].map((task) => task.title).sort()).toEqual(['b', 'c']);

  // Another user's token is not this user's: a full sync from scratch instead.
  const stranger = createTasksClient({ baseUrl: await t.app.getUrl(), getToken: () => tokenFor(newUser()) });
  const foreign = await sync(stranger, {
    put: () => undefined,
    remove: () => undefined,
    reset: () => undefined,
  });
  tasks.set('00000000-0000-4000-8000-000000000000', { ...a, title: 'stale' });
  const restarted = await sync(client, store, foreign.token);
  expect(restarted.full).toBe(true);
  expect([...tasks.values()].map((task) => task.title).sort()).toEqual(['b', 'c']);
  expect(restarted.token).toBe(token);

  // A 400 that is the caller's own (a limit out of range) is thrown, and the store is kept.
  await expect(sync(client, store, token, 5000)).rejects.toThrow(ProblemError);
  expect([...tasks.values()].map((task) => task.title).sort()).toEqual(['b', 'c']);
});

it('subscribe() delivers live changes and resumes with Last-Event-ID after the stream ends (token expiry)', async () => {
  const owner = newUser();
  const baseUrl = await t.app.getUrl();
  const client = createTasksClient({ baseUrl, getToken: () => tokenFor(owner) });
  const seen: string[] = [];
  const connects: (string | null)[] = [];
  let opened = 0;
  // Tokens that expire in 2 s: the server ends the stream then, and subscribe() comes back.
  const sub = subscribe(
    {
      baseUrl,
      getToken: () => tokenFor(owner, { exp: Math.floor(Date.now() / 1000) + 2 }),
      fetch: (input, init) => {
        connects.push(new Headers(init?.headers).get('Last-Event-ID'));
        return fetch(input, init);
      },
    },
    {
      onTask: (task) => seen.push(`task ${task.title}`),
      onDeleted: (id) => seen.push(`deleted ${id}`),
      onOpen: () => opened++,
    },
  );
  const until = async (n: number) => {
    for (let i = 0; i < 100 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(n);
  };
  try {
    for (let i = 0; i < 100 && opened === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(opened).toBe(1);
    const a = (await client.POST('/api/tasks', { body: { title: 'a' } })).data!;
    await until(1);
    // The stream ends at the token's expiry; these land while it is down or just back.
    await new Promise((r) => setTimeout(r, 2200));
    await client.POST('/api/tasks', { body: { title: 'b' } });
    await client.DELETE('/api/tasks/{id}', { params: { path: { id: a.id } } });
    await until(3);
    expect(seen).toEqual(['task a', 'task b', `deleted ${a.id}`]);
    expect(connects.length).toBeGreaterThanOrEqual(2);
    expect(opened).toBe(connects.length);
    expect(connects[0]).toBeNull();
    expect(connects.at(-1)).toMatch(/^s3\./);
  } finally {
    sub.close();
  }
});

it('subscribe() hands a reminder that fires to onReminder, typed, and nothing else of it to the other handlers', async () => {
  const owner = newUser();
  const baseUrl = await t.app.getUrl();
  const client = createTasksClient({ baseUrl, getToken: () => tokenFor(owner) });
  const reminders: ReminderNotification[] = [];
  const tasks: string[] = [];
  let opened = 0;
  const sub = subscribe(
    { baseUrl, getToken: () => tokenFor(owner) },
    {
      onTask: (task) => tasks.push(task.title),
      onDeleted: () => undefined,
      onReminder: (n) => reminders.push(n),
      onOpen: () => opened++,
    },
  );
  try {
    for (let i = 0; i < 100 && opened === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const due = new Date(Date.now() + 600).toISOString();
    const task = (await client.POST('/api/tasks', { body: { title: 'flight', due_date: due } })).data!;
    const reminder = (
      await client.POST('/api/tasks/{id}/reminders', {
        params: { path: { id: task.id } },
        body: { before_minutes: 0 },
      })
    ).data!;
    // Any app on this database may fire it (the spec files' apps share the queue) and announce it
    // there, which reaches this one through Redis in a deployment; here, once it has fired, the
    // announcement this app would get:
    await firedOnce(query, reminder.id);
    await t.app.get(Database).announceFor([owner]);
    await eventually(() => reminders.length > 0);
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toMatchObject({
      type: 'reminder',
      reminder_id: reminder.id,
      occurrence: task.due_date,
      task: { id: task.id, title: 'flight' },
    });
    expect(tasks).toEqual(['flight']);
  } finally {
    sub.close();
  }
});
