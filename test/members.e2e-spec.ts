import { createHash } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { Database } from '../src/database/database.js';
import type { ListDto } from '../src/lists/dto/list.dto.js';
import { InvitationsService } from '../src/lists/invitations.service.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { expectProblem, fieldsOf, useTestApp, type TestApp } from './helpers/app.js';
import { newUser, tokenFor } from './helpers/tokens.js';

/** Members and invitations (contract "Lists and sharing"), over HTTP, with small limits. */
const MAX_MEMBERS = 3;
const MAX_LISTS = 3;
const t = useTestApp({ MAX_MEMBERS_PER_LIST: String(MAX_MEMBERS), MAX_LISTS_PER_USER: String(MAX_LISTS) });

/** A user calling the API with these token claims (email and name feed the users directory). */
function user(label: string, claims: Record<string, unknown> = {}, on: TestApp = t) {
  const id = newUser(label);
  const email = `${id}@example.com`;
  const token = tokenFor(id, { email, name: label, ...claims });
  const server = () => on.app.getHttpServer() as App;
  const auth = (req: request.Test) => req.set('Authorization', `Bearer ${token}`);
  return {
    id,
    email,
    get: (url: string) => auth(request(server()).get(url)),
    post: (url: string) => auth(request(server()).post(url)),
    patch: (url: string) => auth(request(server()).patch(url)),
    delete: (url: string) => auth(request(server()).delete(url)),
  };
}
type User = ReturnType<typeof user>;

const makeList = async (owner: User, name = 'Shared'): Promise<ListDto> =>
  (await owner.post('/api/lists').send({ name }).expect(201)).body;
const invite = async (owner: User, list: string, body: Record<string, unknown> = { role: 'editor' }) =>
  (await owner.post(`/api/lists/${list}/invitations`).send(body).expect(201)).body as {
    id: string;
    token: string;
  };
const accept = (who: User, token: string) => who.post(`/api/invitations/${token}/accept`);
/** `who` joins `list` with `role` through a real invitation. */
async function join(owner: User, list: string, who: User, role: 'editor' | 'viewer') {
  const { token } = await invite(owner, list, { role });
  await accept(who, token).expect(200);
}
const memberCount = async (list: string): Promise<number> =>
  (await t.db.query('SELECT count(*)::int AS n FROM list_members WHERE list_id = $1', [list]))[0].n;

/** A list with an owner, an editor and a viewer (the most MAX_MEMBERS allows), and a task in it. */
async function shared() {
  const owner = user('owner');
  const editor = user('editor');
  const viewer = user('viewer');
  const list = await makeList(owner);
  await join(owner, list.id, editor, 'editor');
  await join(owner, list.id, viewer, 'viewer');
  const task: Task = (await owner.post('/api/tasks').send({ title: 'shared', list_id: list.id }).expect(201))
    .body;
  return { owner, editor, viewer, stranger: user('stranger'), list, task };
}

/** The users announced as writers while `work` runs (the app's own Database listeners, as live streams use them). */
const announced: string[] = [];
beforeAll(() => t.app.get(Database).onWrite((u) => announced.push(u)));
async function announcing(work: () => Promise<unknown>): Promise<Set<string>> {
  announced.length = 0;
  await work();
  return new Set(announced);
}

describe('GET /api/lists/{id}/members', () => {
  it('shows every member to every member (owner first, email and name from their tokens); a non-member gets 404 like an unknown id', async () => {
    const { owner, editor, viewer, stranger, list } = await shared();
    for (const who of [owner, editor, viewer]) {
      const res = await who.get(`/api/lists/${list.id}/members`).expect(200);
      expect(res.body).toEqual([
        {
          user_id: owner.id,
          email: owner.email,
          name: 'owner',
          role: 'owner',
          joined_at: expect.any(String),
        },
        {
          user_id: editor.id,
          email: editor.email,
          name: 'editor',
          role: 'editor',
          joined_at: expect.any(String),
        },
        {
          user_id: viewer.id,
          email: viewer.email,
          name: 'viewer',
          role: 'viewer',
          joined_at: expect.any(String),
        },
      ]);
    }
    const foreign = await stranger.get(`/api/lists/${list.id}/members`);
    const unknown = await stranger.get('/api/lists/00000000-0000-4000-8000-000000000000/members');
    expectProblem(foreign, 404);
    expect([foreign.body.title, foreign.body.detail]).toEqual([unknown.body.title, unknown.body.detail]);
    expectProblem(await owner.get('/api/lists/nope/members'), 400);
    expect((await viewer.get(`/api/lists/${list.id}`).expect(200)).body.member_count).toBe(3);
  });
});

describe('PATCH /api/lists/{id}/members/{user_id}', () => {
  it('the owner changes a role, which holds from the next request on', async () => {
    const { owner, editor, list, task } = await shared();
    const res = await owner
      .patch(`/api/lists/${list.id}/members/${editor.id}`)
      .send({ role: 'viewer' })
      .expect(200);
    expect(res.body).toEqual({
      user_id: editor.id,
      email: editor.email,
      name: 'editor',
      role: 'viewer',
      joined_at: expect.any(String),
    });
    const write = await editor.patch(`/api/tasks/${task.id}`).send({ title: 'no' });
    expectProblem(write, 403);
    expect(write.body.title).toBe('Read-only list');
    await owner.patch(`/api/lists/${list.id}/members/${editor.id}`).send({ role: 'editor' }).expect(200);
    await editor.patch(`/api/tasks/${task.id}`).send({ title: 'yes' }).expect(200);
  });

  it('403 for an editor or viewer, 404 for a non-member, 409 for the owner’s own role, 404 for no such member, 400 for a bad role', async () => {
    const { owner, editor, viewer, stranger, list } = await shared();
    for (const who of [editor, viewer]) {
      const res = await who.patch(`/api/lists/${list.id}/members/${viewer.id}`).send({ role: 'editor' });
      expectProblem(res, 403);
      expect(res.body.title).toBe('Only the owner can do this');
    }
    const self = await editor.patch(`/api/lists/${list.id}/members/${editor.id}`).send({ role: 'viewer' });
    expectProblem(self, 403);
    expectProblem(
      await stranger.patch(`/api/lists/${list.id}/members/${viewer.id}`).send({ role: 'editor' }),
      404,
    );
    const own = await owner.patch(`/api/lists/${list.id}/members/${owner.id}`).send({ role: 'editor' });
    expectProblem(own, 409);
    expect(own.body.title).toBe('Transfer the list first');
    const none = await owner.patch(`/api/lists/${list.id}/members/${stranger.id}`).send({ role: 'editor' });
    expectProblem(none, 404);
    expect(none.body.detail).toBe('No member with this user id in this list');
    for (const body of [{ role: 'owner' }, {}, { role: 'viewer', extra: 1 }]) {
      const bad = await owner.patch(`/api/lists/${list.id}/members/${viewer.id}`).send(body);
      expectProblem(bad, 400);
    }
    expectProblem(
      await owner.patch(`/api/lists/${list.id}/members/${'x'.repeat(256)}`).send({ role: 'viewer' }),
      400,
    );
    expectProblem(await owner.patch(`/api/lists/${list.id}/members/a%00b`).send({ role: 'viewer' }), 400);
    const roles = (await owner.get(`/api/lists/${list.id}/members`).expect(200)).body.map(
      (m: { role: string }) => m.role,
    );
    expect(roles).toEqual(['owner', 'editor', 'viewer']);
  });
});

describe('DELETE /api/lists/{id}/members/{user_id}', () => {
  it('the owner removes a member, who from then on gets 404 for the list, its members and its tasks', async () => {
    const { owner, editor, viewer, list, task } = await shared();
    await viewer.get(`/api/tasks/${task.id}`).expect(200);
    const seen = await announcing(() =>
      owner.delete(`/api/lists/${list.id}/members/${viewer.id}`).expect(204),
    );
    expect([...seen].sort()).toEqual([owner.id, editor.id, viewer.id].sort());
    for (const res of [
      await viewer.get(`/api/lists/${list.id}`),
      await viewer.get(`/api/lists/${list.id}/members`),
      await viewer.get(`/api/tasks/${task.id}`),
      await viewer.get(`/api/tasks?list_id=${list.id}`),
    ])
      expectProblem(res, 404);
    expect((await viewer.get('/api/lists').expect(200)).body.map((l: ListDto) => l.id)).not.toContain(
      list.id,
    );
    expect(await memberCount(list.id)).toBe(2);
  });

  it('a member leaves (editor or viewer); the owner cannot (409); others may not remove anyone (403); a non-member gets 404', async () => {
    const { owner, editor, viewer, stranger, list, task } = await shared();
    const removeOther = await editor.delete(`/api/lists/${list.id}/members/${viewer.id}`);
    expectProblem(removeOther, 403);
    expect(removeOther.body.title).toBe('Only the owner can do this');
    expectProblem(await viewer.delete(`/api/lists/${list.id}/members/${owner.id}`), 403);
    expectProblem(await stranger.delete(`/api/lists/${list.id}/members/${viewer.id}`), 404);
    expectProblem(await stranger.delete(`/api/lists/${list.id}/members/${stranger.id}`), 404);
    const ownerLeaves = await owner.delete(`/api/lists/${list.id}/members/${owner.id}`);
    expectProblem(ownerLeaves, 409);
    expect(ownerLeaves.body.title).toBe('Transfer the list first');
    expectProblem(await owner.delete(`/api/lists/${list.id}/members/${stranger.id}`), 404);
    expect(await memberCount(list.id)).toBe(3);

    const seen = await announcing(() =>
      editor.delete(`/api/lists/${list.id}/members/${editor.id}`).expect(204),
    );
    expect([...seen].sort()).toEqual([owner.id, editor.id, viewer.id].sort());
    await viewer.delete(`/api/lists/${list.id}/members/${viewer.id}`).expect(204);
    expectProblem(await editor.get(`/api/tasks/${task.id}`), 404);
    expectProblem(await viewer.get(`/api/lists/${list.id}`), 404);
    expect(
      (await owner.get(`/api/lists/${list.id}/members`).expect(200)).body.map(
        (m: { user_id: string }) => m.user_id,
      ),
    ).toEqual([owner.id]);
  });
});

describe('POST /api/lists/{id}/transfer', () => {
  it('makes a member the owner and the old owner an editor; the tasks take new numbers in the new owner’s sequence', async () => {
    const { owner, editor, viewer, list, task } = await shared();
    const seen = await announcing(async () => {
      const res = await owner.post(`/api/lists/${list.id}/transfer`).send({ user_id: editor.id }).expect(200);
      expect(res.headers.etag).toBe('"2"');
      expect(res.body).toMatchObject({
        id: list.id,
        owner_id: editor.id,
        role: 'editor',
        member_count: 3,
        version: 2,
      });
    });
    expect([...seen].sort()).toEqual([owner.id, editor.id, viewer.id].sort());
    const roles = (await viewer.get(`/api/lists/${list.id}/members`).expect(200)).body.map(
      (m: { user_id: string; role: string }) => [m.user_id, m.role],
    );
    expect(roles).toEqual([
      [editor.id, 'owner'],
      [owner.id, 'editor'],
      [viewer.id, 'viewer'],
    ]);
    // The old owner writes tasks like an editor, and may no longer manage the list.
    await owner.patch(`/api/tasks/${task.id}`).send({ title: 'still mine to edit' }).expect(200);
    const rename = await owner.patch(`/api/lists/${list.id}`).send({ name: 'x' });
    expectProblem(rename, 403);
    expect(rename.body.title).toBe('Only the owner can do this');
    await editor.patch(`/api/lists/${list.id}`).send({ name: 'Theirs now' }).expect(200);
    const [row] = await t.db.query('SELECT owner_id, user_id FROM tasks WHERE id = $1', [task.id]);
    expect(row).toEqual({ owner_id: editor.id, user_id: owner.id });
    // No tombstone in the old owner's sequence: every member still sees the task (migration SharedSync).
    const [{ n }] = await t.db.query(
      'SELECT count(*)::int AS n FROM task_tombstones WHERE user_id = $1 AND id = $2',
      [owner.id, task.id],
    );
    expect(n).toBe(0);
    // And the old owner can now leave.
    await owner.delete(`/api/lists/${list.id}/members/${owner.id}`).expect(204);
    expectProblem(await owner.get(`/api/tasks/${task.id}`), 404);
  });

  it('concurrent task creates in the list during a transfer all succeed, and every task ends with the new owner', async () => {
    const { owner, editor, list } = await shared();
    const [transfer, ...creates] = await Promise.all([
      owner.post(`/api/lists/${list.id}/transfer`).send({ user_id: editor.id }),
      ...Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? owner : editor).post('/api/tasks').send({ title: `during ${i}`, list_id: list.id }),
      ),
    ]);
    expect([transfer.status, ...creates.map((r) => r.status)]).toEqual([200, ...Array(8).fill(201)]);
    const owners = await t.db.query('SELECT DISTINCT owner_id FROM tasks WHERE list_id = $1', [list.id]);
    expect(owners).toEqual([{ owner_id: editor.id }]);
  });

  it('refuses: not the owner (403), a non-member caller (404), a target who is no member or the owner (400), the inbox (400)', async () => {
    const { owner, editor, viewer, stranger, list } = await shared();
    for (const who of [editor, viewer]) {
      const res = await who.post(`/api/lists/${list.id}/transfer`).send({ user_id: who.id });
      expectProblem(res, 403);
      expect(res.body.title).toBe('Only the owner can do this');
    }
    expectProblem(await stranger.post(`/api/lists/${list.id}/transfer`).send({ user_id: stranger.id }), 404);
    for (const target of [stranger.id, owner.id]) {
      const res = await owner.post(`/api/lists/${list.id}/transfer`).send({ user_id: target });
      expectProblem(res, 400);
      expect(fieldsOf(res)).toEqual(['user_id']);
    }
    for (const body of [{}, { user_id: '' }, { user_id: 5 }, { user_id: editor.id, x: 1 }])
      expectProblem(await owner.post(`/api/lists/${list.id}/transfer`).send(body), 400);
    const inbox: ListDto = (await owner.get('/api/lists').expect(200)).body[0];
    const res = await owner.post(`/api/lists/${inbox.id}/transfer`).send({ user_id: editor.id });
    expectProblem(res, 400);
    expect(res.body.detail).toBe('The inbox cannot be given away');
    expect((await owner.get(`/api/lists/${list.id}`).expect(200)).body).toMatchObject({
      role: 'owner',
      version: 1,
    });
  });

  it('the new owner must stay within MAX_LISTS_PER_USER (403 "List limit reached", nothing changes)', async () => {
    const { owner, editor, list } = await shared();
    // The editor owns their inbox and two more: MAX_LISTS (3).
    await editor.get('/api/lists').expect(200);
    await makeList(editor, 'a');
    await makeList(editor, 'b');
    const res = await owner.post(`/api/lists/${list.id}/transfer`).send({ user_id: editor.id });
    expectProblem(res, 403);
    expect(res.body.title).toBe('List limit reached');
    expect((await owner.get(`/api/lists/${list.id}`).expect(200)).body).toMatchObject({
      owner_id: owner.id,
      role: 'owner',
    });
  });
});

describe('POST /api/lists/{id}/transfer and MAX_TASKS_PER_USER', () => {
  const small = useTestApp({ MAX_TASKS_PER_USER: '5' });

  it('is refused (403 "Task limit reached", nothing changes) when the list\'s tasks would take the new owner past it; at the limit exactly, it passes', async () => {
    const owner = user('owner', {}, small);
    const editor = user('editor', {}, small);
    const list = await makeList(owner, 'big');
    await join(owner, list.id, editor, 'editor');
    // The editor holds 3 tasks in their inbox; the list has 3: 6 would pass the limit of 5.
    for (let i = 0; i < 3; i++)
      await editor
        .post('/api/tasks')
        .send({ title: `mine ${i}` })
        .expect(201);
    const shared: Task[] = [];
    for (let i = 0; i < 3; i++)
      shared.push(
        (
          await owner
            .post('/api/tasks')
            .send({ title: `shared ${i}`, list_id: list.id })
            .expect(201)
        ).body,
      );
    const refused = await owner.post(`/api/lists/${list.id}/transfer`).send({ user_id: editor.id });
    expectProblem(refused, 403);
    expect(refused.body.title).toBe('Task limit reached');
    expect((await owner.get(`/api/lists/${list.id}`).expect(200)).body).toMatchObject({
      owner_id: owner.id,
      role: 'owner',
      version: 1,
    });
    expect((await owner.get(`/api/tasks?list_id=${list.id}`).expect(200)).body).toHaveLength(3);
    // One task fewer in the list: 5 exactly, and the transfer passes; the new owner is then at the limit.
    await owner.delete(`/api/tasks/${shared[0].id}`).expect(204);
    await owner.post(`/api/lists/${list.id}/transfer`).send({ user_id: editor.id }).expect(200);
    expect((await editor.get(`/api/lists/${list.id}`).expect(200)).body.role).toBe('owner');
    expectProblem(await editor.post('/api/tasks').send({ title: 'one more' }), 403);
  });
});

describe('invitations', () => {
  it('the owner creates one (token shown once, only its hash stored), lists the open ones without tokens, and revokes', async () => {
    const owner = user('owner');
    const list = await makeList(owner);
    const before = Date.now();
    const res = await owner
      .post(`/api/lists/${list.id}/invitations`)
      .send({ role: 'viewer', email: ' Bob@Example.COM ' })
      .expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      list_id: list.id,
      role: 'viewer',
      email: 'bob@example.com',
      expires_at: expect.any(String),
      created_at: expect.any(String),
    });
    const ttl = Date.parse(res.body.expires_at) - before;
    expect(ttl).toBeGreaterThan(167 * 3600_000);
    expect(ttl).toBeLessThan(169 * 3600_000);
    const stored = await t.db.query('SELECT * FROM list_invitations WHERE id = $1', [res.body.id]);
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(res.body.token);
    expect(
      Buffer.from(stored[0].token_hash).equals(createHash('sha256').update(res.body.token).digest()),
    ).toBe(true);

    const other = await invite(owner, list.id);
    const open = (await owner.get(`/api/lists/${list.id}/invitations`).expect(200)).body;
    const withoutToken = { ...res.body } as Record<string, unknown>;
    delete withoutToken.token;
    expect(open).toEqual([
      withoutToken,
      expect.objectContaining({ id: other.id, role: 'editor', email: null }),
    ]);
    expect(JSON.stringify(open)).not.toMatch(/token/);

    await owner.delete(`/api/lists/${list.id}/invitations/${res.body.id}`).expect(204);
    expectProblem(await owner.delete(`/api/lists/${list.id}/invitations/${res.body.id}`), 404);
    expect(
      (await owner.get(`/api/lists/${list.id}/invitations`).expect(200)).body.map(
        (i: { id: string }) => i.id,
      ),
    ).toEqual([other.id]);
    expectProblem(
      await user('bob', { email: 'bob@example.com' }).get(`/api/invitations/${res.body.token}`),
      404,
    );
  });

  it('owner only: 403 for editor and viewer, 404 for a non-member; never into the inbox; bad bodies 400', async () => {
    const { owner, editor, viewer, stranger, list } = await shared();
    const { id } = await invite(owner, list.id);
    for (const who of [editor, viewer]) {
      for (const res of [
        await who.post(`/api/lists/${list.id}/invitations`).send({ role: 'viewer' }),
        await who.get(`/api/lists/${list.id}/invitations`),
        await who.delete(`/api/lists/${list.id}/invitations/${id}`),
      ]) {
        expectProblem(res, 403);
        expect(res.body.title).toBe('Only the owner can do this');
      }
    }
    for (const res of [
      await stranger.post(`/api/lists/${list.id}/invitations`).send({ role: 'viewer' }),
      await stranger.get(`/api/lists/${list.id}/invitations`),
      await stranger.delete(`/api/lists/${list.id}/invitations/${id}`),
    ])
      expectProblem(res, 404);
    const inbox: ListDto = (await owner.get('/api/lists').expect(200)).body[0];
    const res = await owner.post(`/api/lists/${inbox.id}/invitations`).send({ role: 'viewer' });
    expectProblem(res, 400);
    expect(res.body.detail).toBe('The inbox cannot be shared');
    expect((await owner.get(`/api/lists/${inbox.id}/invitations`).expect(200)).body).toEqual([]);
    for (const [body, fields] of [
      [{ role: 'owner' }, ['role']],
      [{}, ['role']],
      [{ role: 'editor', email: 'not an email' }, ['email']],
      [{ role: 'editor', email: 5 }, ['email']],
      [{ role: 'editor', list_id: list.id }, ['list_id']],
    ] as const) {
      const bad = await owner.post(`/api/lists/${list.id}/invitations`).send(body);
      expectProblem(bad, 400);
      expect(fieldsOf(bad)).toEqual(fields);
    }
    expectProblem(await owner.delete(`/api/lists/${list.id}/invitations/nope`), 400);
  });

  it('anyone signed in sees what a token offers, then accepts it once: used, revoked, expired and unknown are the same 404', async () => {
    const owner = user('owner', { name: 'Ann' });
    const list = await makeList(owner, 'Groceries');
    const { token } = await invite(owner, list.id, { role: 'viewer' });
    const bob = user('bob');
    const preview = await bob.get(`/api/invitations/${token}`).expect(200);
    expect(preview.body).toEqual({
      list: { id: list.id, name: 'Groceries' },
      inviter: { email: owner.email, name: 'Ann' },
      role: 'viewer',
      expires_at: expect.any(String),
    });
    const seen = await announcing(async () => {
      const joined = await accept(bob, token).expect(200);
      expect(joined.headers.etag).toBe('"1"');
      expect(joined.body).toMatchObject({ id: list.id, role: 'viewer', member_count: 2, owner_id: owner.id });
    });
    expect([...seen].sort()).toEqual([owner.id, bob.id].sort());
    expect((await bob.get('/api/lists').expect(200)).body.map((l: ListDto) => l.id)).toContain(list.id);

    const revoked = await invite(owner, list.id);
    await owner.delete(`/api/lists/${list.id}/invitations/${revoked.id}`).expect(204);
    const expired = await invite(owner, list.id);
    await t.db.query(`UPDATE list_invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      expired.id,
    ]);
    const carol = user('carol');
    const answers = [];
    for (const dead of [token, revoked.token, expired.token, 'no-such-token', 'x'.repeat(500)]) {
      answers.push(await carol.get(`/api/invitations/${dead}`), await accept(carol, dead));
    }
    for (const res of answers) expectProblem(res, 404);
    expect(new Set(answers.map((r) => JSON.stringify([r.body.title, r.body.detail]))).size).toBe(1);
    expect(await memberCount(list.id)).toBe(2);
    // The expired one is not open either, and the sweep deletes it (and nothing open).
    expect((await owner.get(`/api/lists/${list.id}/invitations`).expect(200)).body).toEqual([]);
    const open = await invite(owner, list.id);
    expect(await t.app.get(InvitationsService).sweep()).toBeGreaterThanOrEqual(1);
    const left = await t.db.query('SELECT id FROM list_invitations WHERE list_id = $1', [list.id]);
    expect(left).toEqual([{ id: open.id }]);
  });

  it('an email-bound invitation: anyone else gets 403 and it stays open; the right email, in any case, joins', async () => {
    const owner = user('owner');
    const list = await makeList(owner);
    const dave = user('dave', { email: 'Dave@Example.com' });
    const { token } = await invite(owner, list.id, { role: 'editor', email: 'dave@example.COM' });
    for (const other of [user('eve'), user('noemail', { email: undefined })]) {
      const res = await accept(other, token);
      expectProblem(res, 403);
      expect(res.body.title).toBe('Invitation for another email');
    }
    expect(await memberCount(list.id)).toBe(1);
    await dave.get(`/api/invitations/${token}`).expect(200);
    const joined = await accept(dave, token).expect(200);
    expect(joined.body.role).toBe('editor');
  });

  it('accepting a list one is in already uses the token up and changes nothing', async () => {
    const { owner, viewer, list } = await shared();
    const { token } = await invite(owner, list.id, { role: 'editor' });
    const res = await accept(viewer, token).expect(200);
    expect(res.body).toMatchObject({ id: list.id, role: 'viewer', member_count: 3 });
    expect((await owner.get(`/api/lists/${list.id}/invitations`).expect(200)).body).toEqual([]);
    expectProblem(await accept(user('late'), token), 404);
    const owned = await accept(owner, (await invite(owner, list.id)).token).expect(200);
    expect(owned.body.role).toBe('owner');
  });

  it('MAX_MEMBERS_PER_LIST (3 here, owner included): an accept beyond is 409 "List is full" and the invitation stays open', async () => {
    const { owner, viewer, list } = await shared();
    const { token } = await invite(owner, list.id);
    const frank = user('frank');
    const full = await accept(frank, token);
    expectProblem(full, 409);
    expect(full.body.title).toBe('List is full');
    expect(await memberCount(list.id)).toBe(MAX_MEMBERS);
    await frank.get(`/api/invitations/${token}`).expect(200);
    await viewer.delete(`/api/lists/${list.id}/members/${viewer.id}`).expect(204);
    expect((await accept(frank, token).expect(200)).body.role).toBe('editor');
  });

  it('concurrent accepts of one token: exactly one joins, the others get 404', async () => {
    const owner = user('owner');
    const list = await makeList(owner);
    const { token } = await invite(owner, list.id);
    const users = Array.from({ length: 6 }, (_, i) => user(`racer${i}`));
    const answers = await Promise.all(users.map((u) => accept(u, token)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 404, 404, 404, 404, 404]);
    expect(await memberCount(list.id)).toBe(2);
  });

  it('concurrent accepts into a nearly full list never pass the limit', async () => {
    const owner = user('owner');
    const list = await makeList(owner);
    await join(owner, list.id, user('first'), 'viewer');
    const tokens = await Promise.all(Array.from({ length: 5 }, () => invite(owner, list.id)));
    const users = tokens.map((_, i) => user(`racer${i}`));
    const answers = await Promise.all(users.map((u, i) => accept(u, tokens[i].token)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    expect(await memberCount(list.id)).toBe(MAX_MEMBERS);
    // The four refused are still open.
    expect((await owner.get(`/api/lists/${list.id}/invitations`).expect(200)).body).toHaveLength(4);
  });
});

describe('announcements of list changes', () => {
  it('a role change, a rename and a deletion announce every member (the deletion: every member the list had)', async () => {
    const { owner, editor, viewer, list } = await shared();
    const all = [owner.id, editor.id, viewer.id].sort();
    expect(
      [
        ...(await announcing(() =>
          owner.patch(`/api/lists/${list.id}/members/${viewer.id}`).send({ role: 'editor' }).expect(200),
        )),
      ].sort(),
    ).toEqual(all);
    expect(
      [
        ...(await announcing(() =>
          owner.patch(`/api/lists/${list.id}`).send({ name: 'renamed' }).expect(200),
        )),
      ].sort(),
    ).toEqual(all);
    expect([...(await announcing(() => owner.delete(`/api/lists/${list.id}`).expect(204)))].sort()).toEqual(
      all,
    );
    expectProblem(await viewer.get(`/api/lists/${list.id}`), 404);
  });

  it('a refused change announces nobody', async () => {
    const { owner, list } = await shared();
    expect(
      await announcing(async () =>
        expectProblem(await owner.delete(`/api/lists/${list.id}/members/${owner.id}`), 409),
      ),
    ).toEqual(new Set());
  });
});
