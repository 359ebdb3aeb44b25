import type { NestExpressApplication } from '@nestjs/platform-express';
import { EventsService } from '../src/events/events.service.js';
import { ShutdownState } from '../src/health/shutdown-state.js';
import { ChangesService } from '../src/sync/changes.service.js';
import type { Task } from '../src/tasks/dto/task.dto.js';
import { as, createTestApp, expectProblem, fieldsOf, listAll, useTestApp } from './helpers/app.js';
import { whenInstalled } from './helpers/installed.js';
import { MISSING_REDIS, redisReachable, TEST_REDIS_URL } from './helpers/redis.js';
import { SseClient, type SseEvent } from './helpers/sse.js';
import { newUser, tokenFor } from './helpers/tokens.js';

// Live events (contract: "Events"): GET /api/tasks/events as Server-Sent Events.
type Api = ReturnType<typeof as>;

const headToken = async (api: Api): Promise<string> => {
  let token: string | undefined;
  for (;;) {
    const res = await api.get(`/api/tasks/changes${token ? `?since=${token}` : ''}`).expect(200);
    token = res.body.sync_token as string;
    if (!res.body.has_more) return token;
  }
};
const create = async (api: Api, title: string): Promise<Task> =>
  (await api.post('/api/tasks').send({ title }).expect(201)).body as Task;
const dataOf = (e: SseEvent) => JSON.parse(e.data) as Task & { id: string };

/** Applies task and deletion events to a copy, like a client would. */
function apply(store: Map<string, Task>, events: SseEvent[]): Map<string, Task> {
  for (const e of events) {
    if (e.event === 'task') store.set(dataOf(e).id, dataOf(e));
    else if (e.event === 'task.deleted') store.delete(dataOf(e).id);
  }
  return store;
}

const serverState = async (api: Api): Promise<Map<string, Task>> =>
  new Map((await listAll(api)).map((task) => [task.id, task]));

describe('GET /api/tasks/events', () => {
  const t = useTestApp();
  let base: string;
  const open: SseClient[] = [];
  const stream = async (user: string, query = '', headers: Record<string, string> = {}) => {
    const client = await SseClient.open(`${base}/api/tasks/events${query}`, user, headers);
    open.push(client);
    return client;
  };
  beforeAll(async () => {
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
  });
  afterEach(() => open.splice(0).forEach((c) => c.close()));

  it('starts from now, one event per change, the newest id being the sync token of that moment', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const before = await create(api, 'before');
    const client = await stream(user);
    expect(client.status).toBe(200);
    // From now on: the first event names where "now" is, so a reconnect before any change loses nothing.
    await client.until((c) => c.events.some((e) => e.event === 'ready'));
    expect(client.events.find((e) => e.event === 'ready')!.id).toBe(await headToken(api));
    const b = await create(api, 'b');
    await client.until((c) => c.changes.length === 1);
    await api.patch(`/api/tasks/${b.id}`).send({ title: 'b2' }).expect(200);
    await client.until((c) => c.changes.length === 2);
    await api.delete(`/api/tasks/${before.id}`).expect(204);
    await client.until((c) => c.changes.length === 3);
    expect(client.changes.map((e) => [e.event, dataOf(e).id, dataOf(e).title])).toEqual([
      ['task', b.id, 'b'],
      ['task', b.id, 'b2'],
      ['task.deleted', before.id, undefined],
    ]);
    expect(JSON.parse(client.changes[2].data)).toEqual({ id: before.id });
    expect(client.changes.at(-1)!.id).toBe(await headToken(api));
    // Each id resumes right after its change: the same changes follow (ids may differ: a token
    // names a point in the sequence, and several name the same one).
    const resumed = await stream(user, '', { 'Last-Event-ID': client.changes[0].id! });
    await resumed.until((c) => c.changes.length === 2);
    const shape = (e: SseEvent) => [e.event, e.data];
    expect(resumed.changes.map(shape)).toEqual(client.changes.slice(1).map(shape));
    expect(resumed.changes[1].id).toBe(client.changes[2].id);
  });

  it('replays from since, then streams live: no gap, no repeat, with writes racing the subscription', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const known: string[] = [];
    for (let i = 0; i < 10; i++) known.push((await create(api, `seed ${i}`)).id);
    const token = await headToken(api);
    const then = await serverState(api);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 150; i++) {
        const pick = known[i % known.length];
        if (i % 5 === 0) known.push((await create(api, `w ${i}`)).id);
        else if (i % 7 === 0) await api.delete(`/api/tasks/${pick}`);
        else await api.patch(`/api/tasks/${pick}`).send({ title: `w ${i}` });
      }
      writing = false;
    })();
    // Subscribe while the writer is busy: the replay and the live part meet somewhere in its writes.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const client = await stream(user, `?since=${token}`);
    await writer;
    expect(writing).toBe(false);
    const final = await headToken(api);
    await client.until((c) => c.changes.at(-1)?.id === final);
    const ids = client.changes.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const server = await serverState(api);
    const local = apply(then, client.changes);
    expect([...local.values()].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [...server.values()].sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  it('is 400 for a token that is not yours, and sends one resync for an expired one, then ends', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const foreign = await headToken(as(t.app, newUser()));
    const refused = await stream(user, `?since=${foreign}`);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body).errors).toEqual([expect.objectContaining({ field: 'since' })]);
    const task = await create(api, 'x');
    const token = await headToken(api);
    await api.delete(`/api/tasks/${task.id}`).expect(204);
    await t.db.query(
      `UPDATE task_tombstones SET deleted_at = now() - interval '31 days' WHERE user_id = $1`,
      [user],
    );
    await t.app.get(ChangesService).sweep();
    const expired = await stream(user, '', { 'Last-Event-ID': token });
    await expired.until((c) => c.ended);
    expect(expired.events.map((e) => e.event)).toEqual(['resync']);
  });

  it('allows EVENTS_MAX_STREAMS_PER_USER (5) streams per user: 429 beyond, until one closes', async () => {
    const user = newUser();
    const streams = await Promise.all(Array.from({ length: 5 }, () => stream(user)));
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
    const sixth = await stream(user);
    expect(sixth.status).toBe(429);
    expect((await stream(newUser())).status).toBe(200);
    const service = t.app.get(EventsService);
    const before = service.open;
    streams[0].close();
    for (let i = 0; i < 40 && service.open === before; i++) await new Promise((r) => setTimeout(r, 50));
    expect(service.open).toBe(before - 1);
    expect((await stream(user)).status).toBe(200);
  });

  it('is 400 for a malformed since, before any stream starts', async () => {
    const res = await as(t.app, newUser()).get('/api/tasks/events?since=');
    expectProblem(res, 400);
    expect(fieldsOf(res)).toEqual(['since']);
  });

  it('answers under /api/{user_id}/tasks/events too', async () => {
    const user = newUser();
    const client = await SseClient.open(`${base}/api/${user}/tasks/events`, user);
    open.push(client);
    expect(client.status).toBe(200);
    await create(as(t.app, user), 'x');
    await client.until((c) => c.changes.length === 1);
  });
});

describe('event stream lifecycle (EVENTS_HEARTBEAT_MS=100; REDIS_URL where nothing answers)', () => {
  const t = useTestApp({
    EVENTS_HEARTBEAT_MS: '100',
    REDIS_URL: 'redis://127.0.0.1:1',
    JWT_CLOCK_SKEW_S: '0',
  });

  it('delivers in-process while Redis is away, and ends a stream when its bearer token expires', async () => {
    await t.app.listen(0, '127.0.0.1');
    const url = `${await t.app.getUrl()}/api/tasks/events`;
    const user = newUser();
    const exp = Math.floor(Date.now() / 1000) + 2;
    const client = await SseClient.open(url, user, { Authorization: `Bearer ${tokenFor(user, { exp })}` });
    expect(client.status).toBe(200);
    await create(as(t.app, user), 'x');
    await client.until((c) => c.changes.length === 1);
    await client.until((c) => c.ended, 4000);
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000 - 50);
    // Its last line says why, as a comment (which clients ignore).
    expect(client.events.at(-1)).toEqual({ event: 'comment', data: 'end token-expired' });
  });

  it('sends a comment every heartbeat, and ends every stream at once when the instance stops', async () => {
    const url = `${await t.app.getUrl()}/api/tasks/events`;
    const clients = await Promise.all([SseClient.open(url, newUser()), SseClient.open(url, newUser())]);
    await clients[0].until((c) => c.events.filter((e) => e.event === 'comment').length >= 2, 2000);
    const started = Date.now();
    t.app.get(ShutdownState).begin();
    await Promise.all(clients.map((c) => c.until((x) => x.ended, 2000)));
    expect(Date.now() - started).toBeLessThan(1000);
    for (const c of clients) expect(c.events.at(-1)).toEqual({ event: 'comment', data: 'end stopping' });
    // Stopping: a new stream is refused, so the client goes to another instance.
    expect((await SseClient.open(url, newUser())).status).toBe(503);
  });
});

whenInstalled(await redisReachable(), MISSING_REDIS, () => {
  describe('across two instances sharing Redis', () => {
    let one: NestExpressApplication;
    let two: NestExpressApplication;
    beforeAll(async () => {
      const env = { REDIS_URL: TEST_REDIS_URL, EVENTS_MAX_STREAMS_PER_USER: '3' };
      one = await createTestApp(env);
      two = await createTestApp(env);
      await one.listen(0, '127.0.0.1');
      await two.listen(0, '127.0.0.1');
    }, 60_000);
    afterAll(async () => {
      await one?.close();
      await two?.close();
    });

    it('a change written through one instance reaches a stream on the other within 1 s (p95)', async () => {
      const user = newUser();
      const api = as(one, user);
      const client = await SseClient.open(`${await two.getUrl()}/api/tasks/events`, user);
      const delays: number[] = [];
      try {
        for (let i = 0; i < 40; i++) {
          const started = Date.now();
          await create(api, `t${i}`);
          await client.until((c) => c.changes.length === i + 1, 3000);
          delays.push(Date.now() - started);
        }
      } finally {
        client.close();
      }
      delays.sort((a, b) => a - b);
      const p95 = delays[Math.ceil(delays.length * 0.95) - 1];
      console.log(`events across instances: median ${delays[20]} ms, p95 ${p95} ms`);
      expect(p95).toBeLessThan(1000);
    });

    it('counts a user’s streams on every instance: EVENTS_MAX_STREAMS_PER_USER (3) in all', async () => {
      const user = newUser();
      const at = async (app: NestExpressApplication) =>
        SseClient.open(`${await app.getUrl()}/api/tasks/events`, user);
      const streams = [await at(one), await at(one), await at(two)];
      try {
        expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
        expect((await at(two)).status).toBe(429);
        expect((await at(one)).status).toBe(429);
        streams[0].close();
        const service = one.get(EventsService);
        for (let i = 0; i < 40 && service.open > 1; i++) await new Promise((r) => setTimeout(r, 50));
        const again = await at(two);
        streams.push(again);
        expect(again.status).toBe(200);
      } finally {
        streams.forEach((s) => s.close());
      }
    });
  });
});
