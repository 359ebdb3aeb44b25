import { createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import {
  decodeSyncToken,
  encodeSyncToken,
  streamKey,
  syncTokenText,
  type SyncPosition,
} from './sync-token.js';

const key = createSecretKey(randomBytes(32));
const user = 'user-1';
const position = (lists: number, ...streams: [string, number, number][]): SyncPosition => ({
  lists,
  streams: new Map(streams.map(([owner, seq, floor]) => [streamKey(owner), { seq, floor }])),
});
const at = position(7, [user, 1234, 5678], ['owner-2', 99, 99], ['owner-3', 0, 40]);
const token = encodeSyncToken(key, user, at);
const macOf = (text: string, k: Parameters<typeof createHmac>[1] = key) =>
  createHmac('sha256', k)
    .update(JSON.stringify(['sync-token', user, text]))
    .digest()
    .subarray(0, 16)
    .toString('base64url');

describe('sync tokens', () => {
  it('read back what they wrote, for their user under their key; streams at 0 are left out', () => {
    expect(token).toMatch(/^s3\.7(\.[A-Za-z0-9_-]{8}[0-9a-z]+(~[0-9a-z]+)?){3}\.[A-Za-z0-9_-]{22}$/);
    expect(decodeSyncToken(key, user, token)).toEqual(at);
    const empty = position(0, ['owner-4', 0, 0]);
    expect(encodeSyncToken(key, user, empty)).toMatch(/^s3\.0\.[A-Za-z0-9_-]{22}$/);
    expect(decodeSyncToken(key, user, encodeSyncToken(key, user, empty))).toEqual(position(0));
  });

  it('key streams by 48 bits of SHA-256 of the owner, base64url', () => {
    expect(streamKey('user-1')).toBe(
      createHash('sha256').update('user-1').digest().subarray(0, 6).toString('base64url'),
    );
    expect(streamKey('ü')).toHaveLength(8);
  });

  it('refuse another user’s token, and a token made with another key', () => {
    expect(decodeSyncToken(key, 'user-2', token)).toBeUndefined();
    expect(
      decodeSyncToken(key, user, encodeSyncToken(createSecretKey(randomBytes(32)), user, at)),
    ).toBeUndefined();
  });

  it('refuse a token with any one character changed, cut, or lengthened', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~';
    for (let i = 0; i < token.length; i++) {
      for (const c of alphabet) {
        if (c === token[i]) continue;
        expect(decodeSyncToken(key, user, token.slice(0, i) + c + token.slice(i + 1))).toBeUndefined();
      }
    }
    expect(decodeSyncToken(key, user, token.slice(0, -1))).toBeUndefined();
    expect(decodeSyncToken(key, user, `${token}A`)).toBeUndefined();
    // A stream dropped keeps the rest well-formed, but not the mac.
    const parts = token.split('.');
    expect(decodeSyncToken(key, user, [...parts.slice(0, 2), ...parts.slice(3)].join('.'))).toBeUndefined();
    expect(decodeSyncToken(key, user, token.replace('s3.', 's3.0'))).toBeUndefined();
  });

  it('refuse forgeries with a recomputed checksum: raised positions, unkeyed or empty-keyed', () => {
    const raised = [
      position(7, [user, 1234, 9999]),
      position(7, [user, 5000, 5678]),
      position(100, [user, 1234, 5678]),
    ];
    for (const p of raised) {
      const text = syncTokenText(p);
      const input = JSON.stringify(['sync-token', user, text]);
      const unkeyed = createHash('sha256').update(input).digest().subarray(0, 16).toString('base64url');
      expect(decodeSyncToken(key, user, `${text}.${unkeyed}`)).toBeUndefined();
      expect(decodeSyncToken(key, user, `${text}.${macOf(text, '')}`)).toBeUndefined();
      expect(decodeSyncToken(key, user, `${text}.${token.split('.').at(-1)}`)).toBeUndefined();
      // Made with the key, the same position is a token: only the key makes the difference.
      expect(decodeSyncToken(key, user, encodeSyncToken(key, user, p))).toEqual(p);
    }
  });

  it('refuse the one-sequence s2 tokens of earlier releases, even with a right mac', () => {
    const text = 's2.ya.ya';
    expect(decodeSyncToken(key, user, `${text}.${macOf(text)}`)).toBeUndefined();
  });

  it('refuse a floor below the sequence, a stream twice, and numbers beyond safe integers, even with a right mac', () => {
    const k = streamKey(user);
    for (const text of [`s3.0.${k}a~9`, `s3.0.${k}a.${k}b`, `s3.0.${k}zzzzzzzzzzz`, 's3.zzzzzzzzzzz']) {
      expect(decodeSyncToken(key, user, `${text}.${macOf(text)}`)).toBeUndefined();
    }
  });
});
