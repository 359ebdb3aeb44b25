import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import type { ListDto } from '../src/lists/dto/list.dto.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { createTestApp } from './helpers/app.js';
import { whenInstalled } from './helpers/installed.js';
import { MISSING_REDIS, redisReachable, TEST_REDIS_URL } from './helpers/redis.js';
import { type Api, client, createList, Replica, serverView } from './helpers/replica.js';
import { SseClient, type SseEvent } from './helpers/sse.js';
import { newUser } from './helpers/tokens.js';

/**
 * The randomised proof of sync and events across shared lists (issue #29, contract "Lists and
 * sharing": Sync, Events). Three users share lists through the real routes only (invitations
 * accepted, roles changed, members removed, leaving, re-invited, lists transferred and deleted,
 * tasks created, edited, completed, deleted and moved between lists), each request on one of two
 * instances sharing Redis, picked at random. Every user has a sync client that follows tokens in
 * small pages at random moments, and an event stream (on a random instance, opened from a full
 * sync's token) applied to a second copy. At the end each copy must be what the server shows its
 * user, and no stream may have sent anything of a list after its `list.deleted` unless an
 * `event: list` (access regained) came in between. Deterministic given the seed (the user ids and
 * the instance a stream's events come through aside): it is printed, and SHARED_SYNC_SEEDS=1,2 runs
 * those seeds instead of the default ones. A failure prints what was done and the stream's events.
 */
/*
 * Seeds 7, 2, 3 and 4 found a tombstone lost across a transfer, 424242 a new list that did not reach
 * its creator's streams, 20261206, 5, 6 and 8 tombstones of a deleted list's tasks after its
 * `list.deleted`: all fixed (migration SharedSync, ListsService.create); seeds 1–40 pass.
 */
const SEEDS = (process.env.SHARED_SYNC_SEEDS ?? '1,7,424242,20261206').split(',').map(Number);
/** Operations per seed: enough for every kind of change to happen several times. */
const STEPS = 250;
/** How long the streams may take to go quiet at the end (generous: the machine may be loaded). */
const QUIET_BOUND_MS = 30_000;

type Role = 'owner' | 'editor' | 'viewer';
/** What the test believes of a list: its owner and every member's role. */
interface ListModel {
  id: string;
  roles: Map<string, Role>;
}

/** mulberry32: a small seeded PRNG, the same sequence on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A stream's copy: the lists and tasks it started with (a full sync), with its events applied. */
function applyEvents(
  start: Replica,
  events: SseEvent[],
): { lists: Record<string, ListDto>; tasks: Record<string, Task> } {
  // Never synced: picking an instance would draw from the PRNG a varying number of times.
  const copy = new Replica(() => {
    throw new Error('a stream copy does not sync');
  });
  for (const [id, l] of start.lists) copy.lists.set(id, l);
  for (const [id, x] of start.tasks) copy.tasks.set(id, x);
  for (const e of events) {
    if (e.event === 'task') {
      const task = JSON.parse(e.data) as Task;
      copy.tasks.set(task.id, task);
    } else if (e.event === 'task.deleted') copy.tasks.delete((JSON.parse(e.data) as { id: string }).id);
    else if (e.event === 'list') {
      const list = JSON.parse(e.data) as ListDto;
      copy.lists.set(list.id, list);
    } else if (e.event === 'list.deleted') copy.dropList((JSON.parse(e.data) as { id: string }).id);
  }
  return copy.view();
}

/**
 * Every event a stream of `user` sent of a list after that list's `list.deleted` on it with no
 * `event: list` of it in between. A `task.deleted` names no list: it counts as one of a gone list
 * when every list its task was seen in (by the stream's start or its events, since its last
 * tombstone) is gone, and so is every list the server left a tombstone of that task in
 * (`tombstonedIn`): a task moved out of a list the user sees (again) gets that list's tombstone,
 * which may come after the `list.deleted` of the list the task went to.
 */
function afterListDeleted(
  start: Replica,
  events: SseEvent[],
  tombstonedIn: Map<string, string[]>,
): SseEvent[] {
  const seenIn = new Map([...start.tasks].map(([id, x]) => [id, new Set([x.list_id])]));
  const gone = new Set<string>();
  const wrong: SseEvent[] = [];
  for (const e of events) {
    if (e.event === 'comment') continue;
    const data = JSON.parse(e.data) as { id?: string; list_id?: string };
    if (e.event === 'list.deleted') gone.add(data.id!);
    else if (e.event === 'list') gone.delete(data.id!);
    else if (e.event === 'task') {
      if (gone.has(data.list_id!)) wrong.push(e);
      seenIn.set(data.id!, (seenIn.get(data.id!) ?? new Set()).add(data.list_id!));
    } else if (e.event === 'task.deleted') {
      const lists = [...(seenIn.get(data.id!) ?? []), ...(tombstonedIn.get(data.id!) ?? [])];
      if (lists.length > 0 && lists.every((l) => gone.has(l))) wrong.push(e);
      // Gone from the copy: a later tombstone of it (another owner's, after a move out of sight)
      // belongs to no list the stream knows.
      seenIn.delete(data.id!);
    }
  }
  return wrong;
}

whenInstalled(await redisReachable(), MISSING_REDIS, () => {
  describe('sync and events across shared lists, two instances sharing Redis (randomised)', () => {
    let apps: NestExpressApplication[] = [];
    const urls: string[] = [];
    beforeAll(async () => {
      const env = { REDIS_URL: TEST_REDIS_URL };
      apps = [await createTestApp(env), await createTestApp(env)];
      for (const app of apps) {
        await app.listen(0, '127.0.0.1');
        urls.push(await app.getUrl());
      }
    }, 60_000);
    afterAll(async () => {
      for (const app of apps) await app?.close();
    });

    it.each(SEEDS)(
      'every sync client and every stream ends equal to the server, nothing of a list after its list.deleted (seed %i)',
      async (seed) => {
        console.log(`shared-sync-random: seed ${seed} (SHARED_SYNC_SEEDS=${seed} repeats it)`);
        const started = Date.now();
        const random = prng(seed);
        const below = (n: number) => Math.floor(random() * n);
        const pick = <T>(xs: T[]): T => xs[below(xs.length)];
        const users = [newUser('a'), newUser('b'), newUser('c')];
        /** The user's client on an instance picked at random, for one request. */
        const on = (user: string): Api => client(user, pick(apps));
        const syncs = new Map(users.map((u) => [u, new Replica(() => on(u))]));
        const streams = new Map<string, { start: Replica; stream: SseClient }>();
        const lists: ListModel[] = [];
        /** Each live task (of the shared lists), and its list. */
        const tasks = new Map<string, string>();
        const counts: Record<string, number> = {};
        /** What was done, in order (printed when the test fails, with the streams' events). */
        const log: string[] = [];
        const name = (id: string) => {
          const i = users.indexOf(id);
          return i >= 0 ? 'abc'[i] : id.slice(0, 8);
        };
        const count = (op: string, detail = '') => {
          counts[op] = (counts[op] ?? 0) + 1;
          log.push(`${op} ${detail}`);
        };

        const newList = async (owner: string, step: number) => {
          const list = await createList(on(owner), `L${step}`);
          lists.push({ id: list.id, roles: new Map([[owner, 'owner']]) });
          log.push(`create list ${list.id.slice(0, 8)} by ${name(owner)}`);
        };
        const ownerOf = (list: ListModel) => [...list.roles].find(([, r]) => r === 'owner')![0];
        const writes = (list: ListModel, user: string) =>
          ['owner', 'editor'].includes(list.roles.get(user) ?? '');
        /** A write refused: 404 for a non-member, 403 for a viewer (also asserted to be the read-only problem). */
        const refused = (list: ListModel, user: string) => (list.roles.has(user) ? 403 : 404);

        try {
          // Every user's inbox exists before any copy is taken (the first GET /api/lists makes it).
          for (const u of users) await on(u).get('/api/lists').expect(200);
          for (let i = 0; i < 3; i++) await newList(pick(users), -i);
          // Each stream opens at a random moment in the first third, from a full sync a little before.
          const opensAt = new Map(users.map((u) => [u, below(STEPS / 3)]));

          for (let step = 0; step < STEPS; step++) {
            for (const u of users) {
              if (opensAt.get(u) === step) {
                const start = new Replica(() => on(u));
                await start.sync(2);
                log.push(`full sync of ${name(u)}'s stream copy`);
                streams.set(u, { start, stream: undefined as unknown as SseClient });
              }
              // Opened one step after its full sync: the stream replays that step's change first.
              if (opensAt.get(u) === step - 1) {
                const entry = streams.get(u)!;
                const url = `${pick(urls)}/api/tasks/events?since=${encodeURIComponent(entry.start.token!)}`;
                entry.stream = await SseClient.open(url, u);
                expect(entry.stream.status).toBe(200);
                log.push(`${name(u)}'s stream opened`);
              }
            }

            const roll = random();
            const list = pick(lists);
            const owner = ownerOf(list);
            const others = users.filter((u) => u !== owner);
            const inList = [...tasks].filter(([, l]) => l === list.id).map(([id]) => id);
            if (roll < 0.1) {
              // Invite a non-member (also one removed before), who accepts, on any instance.
              const outside = others.filter((u) => !list.roles.has(u));
              if (outside.length === 0) continue;
              const user = pick(outside);
              const role = pick(['editor', 'viewer'] as const);
              const res = await on(owner)
                .post(`/api/lists/${list.id}/invitations`)
                .send({ role })
                .expect(201);
              await on(user)
                .post(`/api/invitations/${(res.body as { token: string }).token}/accept`)
                .expect(200);
              list.roles.set(user, role);
              count('invite+accept', `list ${list.id.slice(0, 8)} ${name(user)} as ${role}`);
            } else if (roll < 0.15) {
              const members = others.filter((u) => list.roles.has(u));
              if (members.length === 0) continue;
              const user = pick(members);
              const role = list.roles.get(user) === 'editor' ? 'viewer' : 'editor';
              await on(owner).patch(`/api/lists/${list.id}/members/${user}`).send({ role }).expect(200);
              list.roles.set(user, role);
              count('role', `list ${list.id.slice(0, 8)} ${name(user)} to ${role}`);
            } else if (roll < 0.21) {
              // Removed by the owner, or leaving.
              const members = others.filter((u) => list.roles.has(u));
              if (members.length === 0) continue;
              const user = pick(members);
              const by = random() < 0.5 ? owner : user;
              await on(by).delete(`/api/lists/${list.id}/members/${user}`).expect(204);
              list.roles.delete(user);
              count(by === owner ? 'remove' : 'leave', `list ${list.id.slice(0, 8)} ${name(user)}`);
            } else if (roll < 0.24) {
              const members = others.filter((u) => list.roles.has(u));
              if (members.length === 0) continue;
              const to = pick(members);
              await on(owner).post(`/api/lists/${list.id}/transfer`).send({ user_id: to }).expect(200);
              list.roles.set(owner, 'editor');
              list.roles.set(to, 'owner');
              count('transfer', `list ${list.id.slice(0, 8)} ${name(owner)} to ${name(to)}`);
            } else if (roll < 0.27) {
              await on(owner).delete(`/api/lists/${list.id}`).expect(204);
              lists.splice(lists.indexOf(list), 1);
              for (const id of inList) tasks.delete(id);
              count(
                'delete list',
                `list ${list.id.slice(0, 8)} by ${name(owner)}, tasks ${inList.map((x) => x.slice(0, 8)).join(' ')}`,
              );
              if (lists.length < 2) await newList(pick(users), step);
            } else if (roll < 0.29) {
              if (lists.length >= 5) continue;
              await newList(pick(users), step);
              count('create list');
            } else {
              // A task operation, mostly by a member of the list, now and then by anyone: one who may
              // write does it; a viewer is refused (403), a non-member too (404).
              const user = random() < 0.75 ? pick([...list.roles.keys()]) : pick(users);
              const api = on(user);
              const op =
                roll < 0.5 || inList.length === 0 ? 'create' : pick(['edit', 'complete', 'delete', 'move']);
              const task = inList.length > 0 ? pick(inList) : undefined;
              const target = pick(lists.filter((l) => l !== list));
              const may =
                writes(list, user) && (op !== 'move' || (target !== undefined && writes(target, user)));
              let res;
              if (op === 'create')
                res = await api.post('/api/tasks').send({ title: `t${step}`, list_id: list.id });
              else if (op === 'edit') res = await api.patch(`/api/tasks/${task}`).send({ title: `e${step}` });
              else if (op === 'complete')
                res = await api.patch(`/api/tasks/${task}`).send({ completed: random() < 0.7 });
              else if (op === 'delete') res = await api.delete(`/api/tasks/${task}`);
              else {
                if (target === undefined) continue;
                res = await api.post(`/api/tasks/${task}/move`).send({ list_id: target.id });
              }
              if (may) {
                expect([res.status, op]).toEqual([{ create: 201, delete: 204 }[op] ?? 200, op]);
                if (op === 'create') tasks.set((res.body as Task).id, list.id);
                else if (op === 'delete') tasks.delete(task!);
                else if (op === 'move') tasks.set(task!, target.id);
                count(
                  op,
                  `${name(user)} task ${(op === 'create' ? (res.body as Task).id : task!).slice(0, 8)} list ${list.id.slice(0, 8)}${op === 'move' ? ` to ${target.id.slice(0, 8)}` : ''}`,
                );
              } else {
                // Refused by the source list first; a move a writer of the source may not make is
                // refused by the target (403 for its viewer, 404 for a non-member).
                const by = writes(list, user) ? target : list;
                expect([res.status, op]).toEqual([refused(by, user), op]);
                if (res.status === 403) count(`${op} refused (viewer)`);
                else count(`${op} refused (non-member)`);
              }
            }

            // Now and then a sync client takes a page or two, in small pages.
            if (random() < 0.4) {
              const who = pick(users);
              const replica = syncs.get(who)!;
              log.push(`${name(who)}'s sync client takes pages`);
              for (let n = 1 + below(2); n > 0; n--) await replica.step(1 + below(3));
            }
          }

          // Every sync client, synced to the end in small pages, is what the server shows its user.
          for (const u of users) {
            try {
              await syncs.get(u)!.expectEqualToServer(2);
            } catch (err) {
              console.log(
                `shared-sync-random: seed ${seed}, ${name(u)}'s sync client differs; what was done:\n${log.join('\n')}`,
              );
              throw err;
            }
          }

          // Every stream, once quiet, is too; and sent nothing of a list after its list.deleted.
          for (const u of users) {
            const { start, stream } = streams.get(u)!;
            const server = await serverView(on(u));
            const deadline = Date.now() + QUIET_BOUND_MS;
            for (let seen = -1; Date.now() < deadline;) {
              if (seen === stream.events.length && expectEqual(applyEvents(start, stream.events), server))
                break;
              seen = stream.events.length;
              await new Promise((resolve) => setTimeout(resolve, 500));
            }
            expect(stream.ended).toBe(false);
            expect(stream.events.filter((e) => e.event === 'resync')).toEqual([]);
            expect(applyEvents(start, stream.events)).toEqual(server);
            const rows = await apps[0]
              .get(DataSource)
              .query<{ id: string; list_id: string }[]>(
                'SELECT id, list_id FROM task_tombstones WHERE list_id IS NOT NULL',
              );
            const tombstonedIn = new Map<string, string[]>();
            for (const r of rows) tombstonedIn.set(r.id, [...(tombstonedIn.get(r.id) ?? []), r.list_id]);
            const wrong = afterListDeleted(start, stream.events, tombstonedIn);
            if (wrong.length > 0)
              console.log(
                `shared-sync-random: seed ${seed}, ${name(u)}'s stream:\n${log.join('\n')}\n` +
                  stream.events.map((e) => `${e.event} ${e.data}`).join('\n'),
              );
            expect(wrong).toEqual([]);
          }
          console.log(
            `shared-sync-random: seed ${seed} took ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
              JSON.stringify(counts),
          );
        } finally {
          for (const { stream } of streams.values()) stream?.close();
        }
      },
      180_000,
    );
  });
});

/** Whether two values are deeply equal (as toEqual would say), without failing the test. */
function expectEqual(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}
