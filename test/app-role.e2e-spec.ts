import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { as, createTestApp } from './helpers/app.js';
import { whenInstalled } from './helpers/installed.js';
import { queryOnce } from './helpers/pg.js';
import { newUser } from './helpers/tokens.js';

/**
 * The deployment's least-privilege setup (docker-compose.yml): the API serves as a role made by
 * deploy/postgres/app-role.sql, which may read and write rows and nothing else, while its migrations
 * run as the owner through DATABASE_DIRECT_URL. Run here against a fresh database, with psql as
 * the compose PostgreSQL's entrypoint runs it.
 */
const PSQL = ['/usr/bin/psql', '/usr/local/bin/psql'].find((p) => existsSync(p));
const MISSING_PSQL =
  'psql is not installed: skipped the app-role spec (install it: apt-get install -y postgresql-client)';
const DIRECT = process.env.E2E_DIRECT_DATABASE_URL!;

whenInstalled(PSQL, MISSING_PSQL, () => {
  const suffix = randomBytes(4).toString('hex');
  const database = `tasks_role_${suffix}`;
  const role = `tasks_app_${suffix}`;
  const password = randomBytes(12).toString('hex');
  const urlOf = (user: string, pass: string | undefined) =>
    Object.assign(new URL(DIRECT), {
      pathname: `/${database}`,
      username: user,
      password: pass ?? '',
    }).toString();
  const owner = Object.assign(new URL(DIRECT), { pathname: `/${database}` }).toString();
  const admin = (sql: string, url = DIRECT) => queryOnce(url, sql);
  let app: NestExpressApplication;

  beforeAll(async () => {
    await admin(`CREATE DATABASE "${database}"`);
    await promisify(execFile)(PSQL!, [
      owner,
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-v',
      `app_user=${role}`,
      '-v',
      `app_password=${password}`,
      '-f',
      'deploy/postgres/app-role.sql',
    ]);
    app = await createTestApp({ DATABASE_URL: urlOf(role, password), DATABASE_DIRECT_URL: owner });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin(`DROP ROLE IF EXISTS "${role}"`);
  });

  it('serves every kind of request as the app role, after migrating as the owner', async () => {
    const user = newUser();
    const created = await as(app, user).post('/api/tasks').send({ title: 'least privilege' });
    expect(created.status).toBe(201);
    expect(
      (await as(app, user).patch(`/api/tasks/${created.body.id}`).send({ priority: 'high' })).status,
    ).toBe(200);
    expect((await as(app, user).get('/api/tasks?q=least')).body).toHaveLength(1);
    expect((await as(app, user).get('/api/tasks/stats')).body.total).toBe(1);
    const keyed = await as(app, user)
      .post('/api/tasks')
      .set('Idempotency-Key', 'k1')
      .send({ title: 'keyed' });
    expect(keyed.status).toBe(201);
    expect((await as(app, user).delete(`/api/tasks/${created.body.id}`)).status).toBe(204);
    const [{ tableowner }] = (
      await admin("SELECT tableowner FROM pg_tables WHERE tablename = 'tasks'", owner)
    ).rows;
    expect(tableowner).not.toBe(role);
  });

  it('cannot change the schema or reach beyond its rows', async () => {
    const asRole = urlOf(role, password);
    await expect(admin('CREATE TABLE intruder (id int)', asRole)).rejects.toThrow(/permission denied/);
    await expect(admin('DROP TABLE tasks', asRole)).rejects.toThrow(/must be owner/);
    await expect(admin('ALTER TABLE tasks ADD COLUMN x int', asRole)).rejects.toThrow(/must be owner/);
    await expect(admin('TRUNCATE tasks', asRole)).rejects.toThrow(/permission denied/);
    const [{ rolsuper, rolcreatedb, rolcreaterole }] = (
      await admin(`SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = '${role}'`)
    ).rows;
    expect({ rolsuper, rolcreatedb, rolcreaterole }).toEqual({
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
    });
  });
});
