import type { NestExpressApplication } from '@nestjs/platform-express';
import { Database } from '../src/database/database.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { membership } from './helpers/members.js';
import { createTestApp, useTestApp } from './helpers/app.js';
import { whenInstalled } from './helpers/installed.js';
import { MISSING_REDIS, redisReachable, TEST_REDIS_URL } from './helpers/redis.js';
import {
  type Api,
  client as clientOf,
  createList,
  createTask,
  page,
  Replica,
  type TaskEntry,
} from './helpers/replica.js';
import { SseClient } from './helpers/sse.js';
import { newUser } from './helpers/tokens.js';

// Incremental sync and live events across the members of shared lists (contract "Lists and
// sharing": Sync, Events). Members are added and removed with SQL, as the list routes would (the
// triggers on list_members do the rest), and tasks moved between lists the same way.
const t = useTestApp();
const { join, leave } = membership((text, values) => t.db.query(text, values));

/** A user's client of `app` (the spec's app unless given), knowing its user. */
const client = (user: string, app: NestExpressApplication = t.app): Api => clientOf(user, app);
/** Moves a task (without subtasks) to another list, as a move between lists does: version +1. */
const moveTo = (task: string, list: string) =>
  t.db.query(
    `UPDATE tasks SET list_id = $2, version = version + 1, updated_at = now(), position = 'a0' || substr(md5(random()::text), 1, 10) || 'V'
      WHERE id = $1`,
    [task, list],
  );
const ids = (entries: { id: string }[]) => entries.map((e) => e.id);
const tombstones = (entries: TaskEntry[]) => ids(entries.filter((e) => 'deleted' in e));
const live = (entries: TaskEntry[]) => ids(entries.filter((e) => !('deleted' in e)));

describe('GET /api/tasks/changes across shared lists', () => {
  it('shows a member the owner’s and the other members’ changes, and the list itself', async () => {
    const [a, b, c] = [newUser(), newUser(), newUser()].map((u) => client(u));
    const list = await createList(a, 'Shared');
    const mine = await createTask(a, list.id, 'by the owner');
    const [bId, cId] = [b, c].map((api) => api.user);
    await join(list.id, bId);
    await join(list.id, cId, 'viewer');
    const replicaB = new Replica(b);
    const replicaC = new Replica(c);
    const full = await replicaC.sync();
    expect(live(full.changes)).toEqual([mine.id]);
    expect(full.lists).toEqual([expect.objectContaining({ id: list.id, role: 'viewer', member_count: 3 })]);
    await replicaB.sync();
    const byB = await createTask(b, list.id, 'by a member');
    await a.patch(`/api/tasks/${mine.id}`).send({ title: 'renamed' }).expect(200);
    const next = await replicaC.sync();
    expect(live(next.changes).sort()).toEqual([mine.id, byB.id].sort());
    expect(next.lists).toEqual([]);
    await a.patch(`/api/lists/${list.id}`).send({ name: 'Renamed' }).expect(200);
    expect((await replicaC.sync()).lists).toEqual([
      expect.objectContaining({ id: list.id, name: 'Renamed' }),
    ]);
    for (const replica of [replicaB, replicaC, new Replica(a)]) {
      await replica.sync();
      await replica.expectEqualToServer();
    }
  });

  it('a member removed gets the list as deleted and nothing of it after; on rejoining, the list and all its live tasks', async () => {
    const [a, c] = [newUser(), newUser()].map((u) => client(u));
    const list = await createList(a, 'Shared');
    const first = await createTask(a, list.id, 'first');
    const gone = await createTask(a, list.id, 'deleted while away');
    await join(list.id, c.user);
    const replica = new Replica(c);
    await replica.sync();
    expect([...replica.tasks.keys()].sort()).toEqual([first.id, gone.id].sort());

    await leave(list.id, c.user);
    const removed = await replica.sync();
    expect(removed.lists).toEqual([{ id: list.id, deleted: true }]);
    expect(replica.tasks.size).toBe(0);
    // Nothing of the list while away: no change, no tombstone, no list entry.
    const away = await createTask(a, list.id, 'made while away');
    await a.patch(`/api/tasks/${first.id}`).send({ title: 'changed while away' }).expect(200);
    await a.delete(`/api/tasks/${gone.id}`).expect(204);
    await a.patch(`/api/lists/${list.id}`).send({ name: 'Renamed while away' }).expect(200);
    expect(await replica.sync()).toEqual({ changes: [], lists: [] });
    await c.get(`/api/tasks/${first.id}`).expect(404);

    // Rejoined: every live task, also those numbered before the token.
    await join(list.id, c.user);
    const back = await replica.sync();
    expect(back.lists).toEqual([expect.objectContaining({ id: list.id, name: 'Renamed while away' })]);
    expect(live(back.changes).sort()).toEqual([first.id, away.id].sort());
    await replica.expectEqualToServer();
  });

  it('a client that held the tasks before leaving drops them; one that rejoins between two syncs still ends equal', async () => {
    const [a, c] = [newUser(), newUser()].map((u) => client(u));
    const list = await createList(a, 'Shared');
    const kept = await createTask(a, list.id, 'kept');
    const gone = await createTask(a, list.id, 'gone');
    await join(list.id, c.user);
    const replica = new Replica(c);
    await replica.sync();
    // Left and back between two syncs: the list entry is the live one, the tasks deleted meanwhile
    // come as tombstones.
    await leave(list.id, c.user);
    await a.delete(`/api/tasks/${gone.id}`).expect(204);
    await join(list.id, c.user);
    const seen = await replica.sync();
    expect(seen.lists).toEqual([expect.objectContaining({ id: list.id })]);
    expect(tombstones(seen.changes)).toEqual([gone.id]);
    expect(live(seen.changes)).toEqual([kept.id]);
    await replica.expectEqualToServer();
  });

  it('a deleted list is a deleted entry for every member, its owner too, and none of its tasks’ tombstones follow', async () => {
    const [a, b] = [newUser(), newUser()].map((u) => client(u));
    const list = await createList(a, 'Doomed');
    const task = await createTask(a, list.id, 'x');
    await join(list.id, b.user);
    const [ra, rb] = [new Replica(a), new Replica(b)];
    await ra.sync();
    await rb.sync();
    await a.delete(`/api/lists/${list.id}`).expect(204);
    const [seenA, seenB] = [await ra.sync(), await rb.sync()];
    expect(seenB).toEqual({ changes: [], lists: [{ id: list.id, deleted: true }] });
    expect(seenA).toEqual({ changes: [], lists: [{ id: list.id, deleted: true }] });
    expect(ra.tasks.has(task.id)).toBe(false);
    await ra.expectEqualToServer();
    await rb.expectEqualToServer();
  });

  it('a transfer moves the list’s tasks into the new owner’s sequence; every member’s copy stays whole', async () => {
    const [a, b, c] = [newUser(), newUser(), newUser()].map((u) => client(u));
    const list = await createList(a, 'Handed over');
    const tasks = [await createTask(a, list.id, 'one'), await createTask(a, list.id, 'two')];
    await join(list.id, b.user);
    await join(list.id, c.user, 'viewer');
    const replicas = [a, b, c].map((api) => new Replica(api));
    for (const r of replicas) await r.sync();
    // As the transfer route does: the list's owner, then the two roles (the tasks follow by the key).
    await t.db.transaction(async (tx) => {
      await tx.query(`UPDATE list_members SET role = 'editor' WHERE list_id = $1 AND user_id = $2`, [
        list.id,
        a.user,
      ]);
      await tx.query(`UPDATE lists SET owner_id = $2 WHERE id = $1`, [list.id, b.user]);
      await tx.query(`UPDATE list_members SET role = 'owner' WHERE list_id = $1 AND user_id = $2`, [
        list.id,
        b.user,
      ]);
    });
    for (const r of replicas) {
      const seen = await r.sync(1);
      // No tombstone for anyone: each still sees the tasks, now in the new owner's sequence.
      expect(tombstones(seen.changes)).toEqual([]);
      expect([...r.tasks.keys()].sort()).toEqual(ids(tasks).sort());
      expect(r.lists.get(list.id)?.owner_id).toBe(b.user);
      await r.expectEqualToServer();
    }
  });

  it('a deletion a member had not synced yet still reaches them after the list changed hands', async () => {
    const [a, b, c] = [newUser(), newUser(), newUser()].map((u) => client(u));
    const list = await createList(a, 'Handed over');
    const task = await createTask(a, list.id, 'doomed');
    for (const who of [b, c]) {
      const { token } = (
        await a.post(`/api/lists/${list.id}/invitations`).send({ role: 'editor' }).expect(201)
      ).body;
      await who.post(`/api/invitations/${token}/accept`).expect(200);
    }
    const rc = new Replica(c);
    await rc.sync();
    expect(rc.tasks.has(task.id)).toBe(true);
    await a.delete(`/api/tasks/${task.id}`).expect(204);
    await a.post(`/api/lists/${list.id}/transfer`).send({ user_id: b.user }).expect(200);
    // c follows b's sequence now, no longer a's: the tombstone moved into b's with the list.
    const seen = await rc.sync(1);
    expect(tombstones(seen.changes)).toEqual([task.id]);
    await rc.expectEqualToServer();
  });

  it('a task moved to another list leaves a tombstone only for those who cannot see it there', async () => {
    const [a, b, c, d] = [newUser(), newUser(), newUser(), newUser()].map((u) => client(u));
    const one = await createList(a, 'One'); // a, b, c
    const two = await createList(a, 'Two'); // a, b
    const other = await createList(d, 'Other owner'); // d, b
    await join(one.id, b.user);
    await join(one.id, c.user);
    await join(two.id, b.user);
    await join(other.id, b.user);
    const task = await createTask(a, one.id, 'moving');
    const replicas = [a, b, c, d].map((api) => new Replica(api));
    for (const r of replicas) await r.sync();
    const [ra, rb, rc, rd] = replicas;

    // Within one owner: c cannot see list Two.
    await moveTo(task.id, two.id);
    const [seenA, seenB, seenC] = [await ra.sync(), await rb.sync(), await rc.sync()];
    expect([tombstones(seenA.changes), live(seenA.changes)]).toEqual([[], [task.id]]);
    expect([tombstones(seenB.changes), live(seenB.changes)]).toEqual([[], [task.id]]);
    expect([tombstones(seenC.changes), live(seenC.changes)]).toEqual([[task.id], []]);
    expect(rb.tasks.get(task.id)?.list_id).toBe(two.id);

    // To another owner's list: a cannot see it there, b can, d sees it arrive.
    await moveTo(task.id, other.id);
    const [nextA, nextB, nextD] = [await ra.sync(), await rb.sync(), await rd.sync()];
    expect([tombstones(nextA.changes), live(nextA.changes)]).toEqual([[task.id], []]);
    expect([tombstones(nextB.changes), live(nextB.changes)]).toEqual([[], [task.id]]);
    expect(live(nextD.changes)).toEqual([task.id]);
    expect(rb.tasks.get(task.id)?.list_id).toBe(other.id);
    for (const r of replicas) await r.expectEqualToServer();
  });

  it('a token of one user is refused for another, and a page answers every stream in one token', async () => {
    const [a, b] = [newUser(), newUser()].map((u) => client(u));
    const list = await createList(a, 'Shared');
    await join(list.id, b.user);
    await createTask(a, list.id, 'x');
    await createTask(b, list.id, 'y');
    await b.post('/api/tasks').send({ title: 'in b’s inbox' }).expect(201);
    const token = (await page(b)).sync_token;
    // Two owners' streams: a's (the shared list) and b's (the inbox).
    expect(token.split('.')).toHaveLength(5);
    expect((await a.get(`/api/tasks/changes?since=${encodeURIComponent(token)}`)).status).toBe(400);
    expect(await page(b, token)).toEqual({ changes: [], lists: [], sync_token: token, has_more: false });
  });

  it.each([20261206, 7, 424242])(
    'a client that follows tokens in small pages ends equal to the server (randomised, seed %i)',
    async (start) => {
      let seed = start;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
      const apis = [newUser(), newUser(), newUser()].map((u) => client(u));
      const lists = [
        await createList(apis[0], 'A1'),
        await createList(apis[0], 'A2'),
        await createList(apis[1], 'B1'),
      ];
      const owners = new Map(lists.map((l, i) => [l.id, apis[[0, 0, 1][i]].user]));
      const members = new Map(lists.map((l) => [l.id, new Set([owners.get(l.id)!])]));
      const replicas = apis.map((api) => new Replica(api));
      const tasks: { id: string; list: string }[] = [];
      for (let step = 0; step < 120; step++) {
        const roll = random();
        const list = pick(lists).id;
        const inList = tasks.filter((x) => x.list === list);
        if (roll < 0.12) {
          const user = pick(apis).user;
          if (user === owners.get(list)) continue;
          if (members.get(list)!.has(user)) {
            await leave(list, user);
            members.get(list)!.delete(user);
          } else {
            await join(list, user);
            members.get(list)!.add(user);
          }
        } else if (roll < 0.45 || inList.length === 0) {
          const writer = pick([...members.get(list)!]);
          const api = apis.find((x) => x.user === writer)!;
          tasks.push({ id: (await createTask(api, list, `t${step}`)).id, list });
        } else if (roll < 0.7) {
          const task = pick(inList);
          await apis
            .find((x) => x.user === owners.get(list))!
            .patch(`/api/tasks/${task.id}`)
            .send({ title: `s${step}`, completed: random() < 0.5 })
            .expect(200);
        } else if (roll < 0.85) {
          const task = pick(inList);
          await apis
            .find((x) => x.user === owners.get(list))!
            .delete(`/api/tasks/${task.id}`)
            .expect(204);
          tasks.splice(tasks.indexOf(task), 1);
        } else {
          const task = pick(inList);
          const to = pick(lists.filter((l) => l.id !== list)).id;
          await moveTo(task.id, to);
          task.list = to;
        }
        // Now and then a client takes a page or two, in small pages.
        const replica = pick(replicas);
        if (random() < 0.4) await replica.step(1 + Math.floor(random() * 3));
      }
      for (const replica of replicas) {
        await replica.sync(2);
        await replica.expectEqualToServer();
      }
    },
  );
});

const events = (stream: SseClient, name: string) => stream.events.filter((e) => e.event === name);

whenInstalled(await redisReachable(), MISSING_REDIS, () => {
  describe('GET /api/tasks/events across shared lists, two instances sharing Redis', () => {
    let one: NestExpressApplication;
    let two: NestExpressApplication;
    beforeAll(async () => {
      const env = { REDIS_URL: TEST_REDIS_URL };
      one = await createTestApp(env);
      two = await createTestApp(env);
      await one.listen(0, '127.0.0.1');
      await two.listen(0, '127.0.0.1');
    }, 60_000);
    afterAll(async () => {
      await one?.close();
      await two?.close();
    });

    it('a list made through one instance reaches its creator’s stream on the other as event: list', async () => {
      const owner = newUser();
      const stream = await SseClient.open(`${await two.getUrl()}/api/tasks/events`, owner);
      try {
        await stream.until((c) => c.events.some((e) => e.event === 'ready'));
        const list = await createList(client(owner, one), 'Fresh');
        await stream.until((c) => events(c, 'list').some((e) => JSON.parse(e.data).id === list.id));
        expect(JSON.parse(events(stream, 'list').at(-1)!.data)).toEqual(list);
      } finally {
        stream.close();
      }
    });

    it('a member’s stream on another instance gets the owner’s changes, then list.deleted on removal and nothing of the list after', async () => {
      const [owner, member] = [newUser(), newUser()];
      const a = client(owner, one);
      const list = await createList(a, 'Shared');
      await join(list.id, member);
      await one.get(Database).announceFor([member, owner]);
      const stream = await SseClient.open(`${await two.getUrl()}/api/tasks/events`, member);
      try {
        expect(stream.status).toBe(200);
        await stream.until((c) => c.events.some((e) => e.event === 'ready'));
        const task = await createTask(a, list.id, 'by the owner');
        await stream.until((c) => c.changes.length === 1);
        expect(JSON.parse(stream.changes[0].data)).toEqual(expect.objectContaining({ id: task.id }));
        await a.patch(`/api/lists/${list.id}`).send({ name: 'Renamed' }).expect(200);
        // As the list routes announce a change of a list to its members (Database.announceFor).
        await one.get(Database).announceFor([owner, member]);
        await stream.until((c) => events(c, 'list').length === 1);
        expect(JSON.parse(events(stream, 'list')[0].data)).toEqual(
          expect.objectContaining({ id: list.id, name: 'Renamed', role: 'editor' }),
        );

        await leave(list.id, member);
        await one.get(Database).announceFor([member, owner]);
        await stream.until((c) => events(c, 'list.deleted').length === 1);
        expect(JSON.parse(events(stream, 'list.deleted')[0].data)).toEqual({ id: list.id });
        // After it: the owner's writes in that list reach the member no more, their own do.
        await createTask(a, list.id, 'after the removal');
        const own = (await client(member, one).post('/api/tasks').send({ title: 'own' }).expect(201))
          .body as Task;
        await stream.until((c) => c.changes.some((e) => JSON.parse(e.data).id === own.id));
        expect(stream.changes.map((e) => JSON.parse(e.data).id)).toEqual([task.id, own.id]);
      } finally {
        stream.close();
      }
    });

    it('a replay from a token carries the lists and tasks of every list the member can see', async () => {
      const [owner, member] = [newUser(), newUser()];
      const a = client(owner, one);
      const list = await createList(a, 'Shared');
      const since = (await page(client(member, one))).sync_token;
      await join(list.id, member);
      const task = await createTask(a, list.id, 'shared');
      const stream = await SseClient.open(
        `${await two.getUrl()}/api/tasks/events?since=${encodeURIComponent(since)}`,
        member,
      );
      try {
        await stream.until((c) => c.changes.length === 1 && events(c, 'list').length === 1);
        expect(JSON.parse(events(stream, 'list')[0].data)).toEqual(expect.objectContaining({ id: list.id }));
        expect(JSON.parse(stream.changes[0].data)).toEqual(expect.objectContaining({ id: task.id }));
        // The last event's id is the token a sync gives now.
        const last = stream.events.filter((e) => e.id !== undefined).at(-1)!;
        const now = await page(client(member, one), last.id);
        expect(now).toEqual({ changes: [], lists: [], sync_token: last.id, has_more: false });
      } finally {
        stream.close();
      }
    });
  });
});
