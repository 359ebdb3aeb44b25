import { as, expectProblem, fieldsOf, useTestApp } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

const t = useTestApp();
const PASSWORD = /^([a-km-np-z2-9]{4}-){5}[a-km-np-z2-9]{4}$/;

describe('app passwords', () => {
  it('are made (the password shown once), listed without secrets, and deleted', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const made = await api.post('/api/app-passwords').send({ name: '  iPhone Reminders ' }).expect(201);
    expect(made.body).toEqual({
      id: expect.any(String),
      name: 'iPhone Reminders',
      password: expect.stringMatching(PASSWORD),
      created_at: expect.any(String),
    });
    const listed = await api.get('/api/app-passwords').expect(200);
    expect(listed.body).toEqual([
      { id: made.body.id, name: 'iPhone Reminders', created_at: made.body.created_at, last_used_at: null },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(made.body.password);
    // Stored only as a salted scrypt hash, with its parameters.
    const [row] = await t.db.query('SELECT hash, lookup FROM app_passwords WHERE id = $1', [made.body.id]);
    const plain = made.body.password.replaceAll('-', '');
    expect(row.hash).toMatch(/^scrypt\$16384\$8\$5\$/);
    expect(row.hash).not.toContain(plain);
    expect(row.lookup).toBe(plain.slice(0, 4));
    // Nobody else sees or deletes it.
    const other = as(t.app, newUser());
    expect((await other.get('/api/app-passwords').expect(200)).body).toEqual([]);
    expectProblem(await other.delete(`/api/app-passwords/${made.body.id}`), 404);
    await api.delete(`/api/app-passwords/${made.body.id}`).expect(204);
    expectProblem(await api.delete(`/api/app-passwords/${made.body.id}`), 404);
    expect((await api.get('/api/app-passwords').expect(200)).body).toEqual([]);
  });

  it('validate their input and need a bearer token', async () => {
    const api = as(t.app, newUser());
    expect(fieldsOf(await api.post('/api/app-passwords').send({ name: '' }).expect(400))).toEqual(['name']);
    expect(
      fieldsOf(await api.post('/api/app-passwords').send({ name: 'x', password: 'y' }).expect(400)),
    ).toEqual(['password']);
    expectProblem(await api.delete('/api/app-passwords/nope'), 400);
    expectProblem(await as(t.app).get('/api/app-passwords'), 401);
  });

  it('are at most 20 per user', async () => {
    const api = as(t.app, newUser());
    for (let i = 0; i < 20; i++)
      await api
        .post('/api/app-passwords')
        .send({ name: `p${i}` })
        .expect(201);
    const res = await api.post('/api/app-passwords').send({ name: 'one too many' });
    expectProblem(res, 403);
    expect(res.body.title).toBe('App password limit reached');
  }, 60_000);
});
