import { createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { decodeSyncToken, encodeSyncToken } from './sync-token.js';

const key = createSecretKey(randomBytes(32));
const user = 'user-1';
const at = { seq: 1234, floor: 5678 };
const token = encodeSyncToken(key, user, at);
/** `token`'s text with a new mac: what a forger makes, given a way to compute one. */
const remac = (text: string, mac: string) => `${text}.${mac}`;
const textOf = (position: { seq: number; floor: number }) =>
  `s2.${position.seq.toString(36)}.${position.floor.toString(36)}`;

describe('sync tokens', () => {
  it('read back what they wrote, for their user under their key', () => {
    expect(token).toMatch(/^s2\.[0-9a-z]+\.[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    expect(decodeSyncToken(key, user, token)).toEqual(at);
    expect(decodeSyncToken(key, user, encodeSyncToken(key, user, { seq: 0, floor: 0 }))).toEqual({
      seq: 0,
      floor: 0,
    });
  });

  it('refuse another user’s token, and a token made with another key', () => {
    expect(decodeSyncToken(key, 'user-2', token)).toBeUndefined();
    expect(
      decodeSyncToken(key, user, encodeSyncToken(createSecretKey(randomBytes(32)), user, at)),
    ).toBeUndefined();
  });

  it('refuse a token with any one character changed, cut, or lengthened', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.';
    for (let i = 0; i < token.length; i++) {
      for (const c of alphabet) {
        if (c === token[i]) continue;
        expect(decodeSyncToken(key, user, token.slice(0, i) + c + token.slice(i + 1))).toBeUndefined();
      }
    }
    expect(decodeSyncToken(key, user, token.slice(0, -1))).toBeUndefined();
    expect(decodeSyncToken(key, user, `${token}A`)).toBeUndefined();
    // A number written with a leading zero is another text: its mac does not carry over.
    expect(decodeSyncToken(key, user, token.replace('s2.', 's2.0'))).toBeUndefined();
  });

  it('refuse forgeries with a recomputed checksum: raised floor, raised sequence, unkeyed or empty-keyed', () => {
    const raised = [
      { seq: at.seq, floor: at.floor + 1000 },
      { seq: at.seq + 1000, floor: at.floor + 1000 },
    ];
    for (const position of raised) {
      const text = textOf(position);
      const input = JSON.stringify(['sync-token', user, text]);
      const unkeyed = createHash('sha256').update(input).digest().subarray(0, 16).toString('base64url');
      const emptyKey = createHmac('sha256', '').update(input).digest().subarray(0, 16).toString('base64url');
      expect(decodeSyncToken(key, user, remac(text, unkeyed))).toBeUndefined();
      expect(decodeSyncToken(key, user, remac(text, emptyKey))).toBeUndefined();
      expect(decodeSyncToken(key, user, remac(text, token.split('.')[3]))).toBeUndefined();
      // Made with the key, the same position is a token: only the key makes the difference.
      expect(decodeSyncToken(key, user, encodeSyncToken(key, user, position))).toEqual(position);
    }
  });

  it('refuse the checksummed s1 tokens of earlier releases', () => {
    const sum = createHash('sha256')
      .update(`sync\u0000${user}\u0000${at.seq}\u0000${at.floor}`)
      .digest('base64url')
      .slice(0, 12);
    expect(
      decodeSyncToken(key, user, `s1.${at.seq.toString(36)}.${at.floor.toString(36)}.${sum}`),
    ).toBeUndefined();
  });

  it('refuse a floor below the sequence and numbers beyond safe integers, even with a right mac', () => {
    for (const text of [textOf({ seq: 10, floor: 9 }), 's2.zzzzzzzzzzz.zzzzzzzzzzz']) {
      const mac = createHmac('sha256', key)
        .update(JSON.stringify(['sync-token', user, text]))
        .digest()
        .subarray(0, 16)
        .toString('base64url');
      expect(decodeSyncToken(key, user, remac(text, mac))).toBeUndefined();
    }
  });
});
