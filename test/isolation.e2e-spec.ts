import { as, useTestApp, expectProblem } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

const t = useTestApp();

describe("another user's task", () => {
  it('can be neither seen nor changed through any route, and stays as it was', async () => {
    const alice = as(t.app, newUser('alice'));
    const { body: task } = await alice
      .post('/api/tasks')
      .send({ title: 'Secret', description: 'mine', tags: ['private'], due_date: '2020-01-01T00:00:00Z' });

    const bobId = newUser('bob');
    const bob = as(t.app, bobId);
    const path = `/api/tasks/${task.id}`;
    const aliasPath = `/api/${bobId}/tasks/${task.id}`;
    for (const base of [path, aliasPath]) {
      expectProblem(await bob.get(base), 404);
      expectProblem(await bob.get(base).set('If-None-Match', '"1"'), 404);
      expectProblem(await bob.put(base).send({ title: 'Hacked' }), 404);
      expectProblem(await bob.patch(base).send({ title: 'Hacked' }), 404);
      expectProblem(await bob.patch(`${base}/complete`), 404);
      expectProblem(await bob.patch(`${base}/complete`).send({ completed: true }), 404);
      expectProblem(await bob.delete(base), 404);
    }
    const bobList = await bob.get('/api/tasks');
    expect(bobList.body).toEqual([]);
    expect(bobList.headers['x-total-count']).toBe('0');
    expect((await bob.get('/api/tasks/stats')).body).toEqual({
      total: 0,
      pending: 0,
      completed: 0,
      overdue: 0,
    });

    // Bob's own writes never land on Alice's task either.
    const own = await bob.post('/api/tasks').send({ title: 'Bob' });
    expect(own.body.user_id).toBe(bobId);

    const after = await alice.get(path);
    expect(after.status).toBe(200);
    expect(after.body).toEqual(task);
    expect((await alice.get('/api/tasks')).body).toEqual([task]);
  });

  it('is 404, not 403: a foreign id looks exactly like an unknown one', async () => {
    const { body: task } = await as(t.app, newUser()).post('/api/tasks').send({ title: 'x' });
    const bob = as(t.app, newUser());
    const foreign = await bob.get(`/api/tasks/${task.id}`);
    const unknown = await bob.get('/api/tasks/00000000-0000-4000-8000-000000000000');
    expect(foreign.status).toBe(unknown.status);
    expect(foreign.body.detail).toBe(unknown.body.detail);
  });
});
