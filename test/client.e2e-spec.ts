import { createTasksClient, nextCursor, type TasksClient } from '../clients/typescript/src/index.js';
import { useTestApp } from './helpers/app.js';
import { newUser, tokenFor } from './helpers/tokens.js';

// The generated TypeScript client against the running app: if the API and openapi.json (and so
// the client's types) drift apart, this stops compiling or fails.
const t = useTestApp();
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
