import { createHash, createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ServerKeysRepository } from '../src/sync/server-keys.repository.js';
import {
  encodeSyncToken,
  streamKey,
  streamKeySql,
  syncTokenText,
  type SyncPosition,
} from '../src/sync/sync-token.js';
import { SYNC_TOKEN_KEY } from '../src/sync/sync-tokens.js';
import { as, createTestApp, expectProblem, fieldsOf, useTestApp } from './helpers/app.js';
import { newUser } from './helpers/tokens.js';

// Sync tokens are authenticated with a key the server holds, the same on every instance (contract:
// Operations): an edited token is 400, whatever checksum it carries.
const t = useTestApp();

type Api = ReturnType<typeof as>;
const changes = (api: Api, since: string) => api.get(`/api/tasks/changes?since=${encodeURIComponent(since)}`);
const storedKey = async (): Promise<KeyObject> => {
  const [{ key }] = await t.db.query<{ key: Buffer }[]>('SELECT key FROM server_keys WHERE name = $1', [
    SYNC_TOKEN_KEY,
  ]);
  return createSecretKey(key);
};
/** A position in the lists feed (`lists`) and the user's own stream only (`seq`, `floor`). */
interface Own {
  lists: number;
  seq: number;
  floor: number;
}
const positionOf = (user: string, { lists, seq, floor }: Own): SyncPosition => ({
  lists,
  streams: new Map([[streamKey(user), { seq, floor }]]),
});
/** The position a token of `user`'s own stream holds (read without the key: the text is plain). */
const ownOf = (token: string): Own => {
  const [, lists, stream] = token.split('.');
  const [, seq, floor] = /^.{8}([0-9a-z]+)(?:~([0-9a-z]+))?$/.exec(stream)!;
  return { lists: parseInt(lists, 36), seq: parseInt(seq, 36), floor: parseInt(floor ?? seq, 36) };
};
const macInput = (user: string, text: string) => JSON.stringify(['sync-token', user, text]);
const short = (digest: Buffer) => digest.subarray(0, 16).toString('base64url');
/** A token of the one-sequence format before shared lists, with a right mac. */
const encodeS2 = (key: KeyObject, user: string, { seq, floor }: Own) => {
  const text = `s2.${seq.toString(36)}.${floor.toString(36)}`;
  return `${text}.${short(createHmac('sha256', key).update(macInput(user, text)).digest())}`;
};

describe('sync tokens', () => {
  it('every forgery is 400, on /changes and on the event stream; the same position made with the key is not', async () => {
    const user = newUser();
    const api = as(t.app, user);
    const other = as(t.app, newUser());
    // Three changes; the token after the first, so a raised sequence skips real changes.
    const tasks = [];
    for (const title of ['a', 'b', 'c'])
      tasks.push((await api.post('/api/tasks').send({ title }).expect(201)).body);
    await api.delete(`/api/tasks/${tasks[0].id}`).expect(204);
    const first = (await api.get('/api/tasks/changes?limit=1').expect(200)).body.sync_token as string;
    const mac = first.split('.').at(-1)!;
    const at = ownOf(first);
    const raisedFloor = { ...at, floor: at.floor + 100 };
    // Up to the next change (c's): numbers are not dense, so ask.
    const next = (await changes(api, first).query({ limit: 1 }).expect(200)).body.sync_token as string;
    const nextSeq = ownOf(next).seq;
    const raisedSeq = { ...at, seq: nextSeq, floor: Math.max(nextSeq, at.floor) + 100 };
    const textOf = (own: Own) => syncTokenText(positionOf(user, own));
    const foreign = (await other.get('/api/tasks/changes').expect(200)).body.sync_token as string;
    const forgeries: Record<string, string> = {
      'another user’s token': foreign,
      'a raised floor, its mac kept': `${textOf(raisedFloor)}.${mac}`,
      'a raised sequence, its mac kept': `${textOf(raisedSeq)}.${mac}`,
      'a raised floor, an unkeyed checksum recomputed': `${textOf(raisedFloor)}.${short(
        createHash('sha256')
          .update(macInput(user, textOf(raisedFloor)))
          .digest(),
      )}`,
      'a raised sequence, an HMAC with an empty key': `${textOf(raisedSeq)}.${short(
        createHmac('sha256', '')
          .update(macInput(user, textOf(raisedSeq)))
          .digest(),
      )}`,
      'minted with a different key': encodeSyncToken(
        createSecretKey(randomBytes(32)),
        user,
        positionOf(user, raisedFloor),
      ),
      'the same, another user’s id': encodeSyncToken(await storedKey(), newUser(), positionOf(user, at)),
      'the s2 format of earlier releases, its mac made with the key': encodeS2(await storedKey(), user, at),
      'the s1 format of earlier releases, its checksum recomputed': `s1.${at.seq.toString(36)}.${at.floor.toString(36)}.${createHash(
        'sha256',
      )
        .update(`sync\u0000${user}\u0000${at.seq}\u0000${at.floor}`)
        .digest('base64url')
        .slice(0, 12)}`,
    };
    for (const [what, forged] of Object.entries(forgeries)) {
      const res = await changes(api, forged);
      expect({ what, status: res.status }).toEqual({ what, status: 400 });
      expectProblem(res, 400);
      expect(fieldsOf(res)).toEqual(['since']);
      const stream = await api.get('/api/tasks/events').set('Last-Event-ID', forged);
      expect({ what, status: stream.status }).toEqual({ what, status: 400 });
    }
    // The key is what tells them apart: the raised positions made with it are tokens (this is what
    // the forgeries could have done: a raised sequence skips the changes after `first`).
    const key = await storedKey();
    const ids = async (since: string) =>
      (await changes(api, since).expect(200)).body.changes.map((e: { id: string }) => e.id) as string[];
    expect(await ids(first)).toEqual([tasks[2].id, tasks[0].id]);
    expect(await ids(encodeSyncToken(key, user, positionOf(user, raisedSeq)))).toEqual([tasks[0].id]);
  });

  it('key each owner’s stream the same in PostgreSQL as in the app, whatever the characters of the id', async () => {
    // Fifty more: base64url's `-` and `_` (where base64 has `+` and `/`) show up in some of them.
    const many = Array.from({ length: 50 }, (_, i) => `owner-${i}`);
    for (const owner of ['user-1', 'ünïcødé ✓ 𝔘', 'a'.repeat(255), 'with\'quote and "double"', ...many]) {
      const [{ key }] = await t.db.query<{ key: string }[]>(`SELECT ${streamKeySql('$1::varchar')} AS key`, [
        owner,
      ]);
      expect({ owner, key }).toEqual({ owner, key: streamKey(owner) });
    }
  });

  it('are one key for every instance: a token of one instance works on another', async () => {
    const user = newUser();
    await as(t.app, user).post('/api/tasks').send({ title: 'x' }).expect(201);
    const token = (await as(t.app, user).get('/api/tasks/changes').expect(200)).body.sync_token as string;
    let second: NestExpressApplication | undefined;
    try {
      second = await createTestApp();
      expect((await changes(as(second, user), token)).status).toBe(200);
      const [{ n }] = await t.db.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM server_keys WHERE name = $1',
        [SYNC_TOKEN_KEY],
      );
      expect(n).toBe(1);
    } finally {
      await second?.close();
    }
  });

  it('the key is made once, whoever asks at the same time first', async () => {
    const name = `test-${randomBytes(6).toString('hex')}`;
    const repo = t.app.get(ServerKeysRepository);
    try {
      const keys = await Promise.all(Array.from({ length: 8 }, () => repo.ensure(name, randomBytes(32))));
      expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(1);
      expect((await repo.ensure(name, randomBytes(32))).equals(keys[0])).toBe(true);
    } finally {
      await t.db.query('DELETE FROM server_keys WHERE name = $1', [name]);
    }
  });
});
