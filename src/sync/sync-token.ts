import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * A sync token: where a client stands in its user's change sequence.
 *
 * - `seq`: it has every change numbered up to here;
 * - `floor`: deletions numbered up to here cannot concern it (it is `seq`, or, on the later pages of
 *   a full sync, the head of the sequence when the full sync began: a task deleted before then was
 *   never in the client's copy). The token is expired (410) once a tombstone above `floor` is swept.
 *
 * Written `s2.<seq>.<floor>.<mac>` (base 36), the mac the first 128 bits (base64url) of an
 * HMAC-SHA256 under the server's sync-token key (SyncTokens) of the user and the text before it. So
 * a token that was edited (in any character), cut, issued to another user, or made by anyone
 * without the key fails to decode (400), whatever checksum it carries. `s2.` versions it: the `s1.`
 * tokens of earlier releases, checksummed without a key, are not tokens any more.
 */
export interface SyncPosition {
  seq: number;
  floor: number;
}

const TOKEN = /^(s2\.([0-9a-z]{1,11})\.([0-9a-z]{1,11}))\.([A-Za-z0-9_-]{22})$/;

/** The mac of `text` for `user` (JSON: the user's id, whatever its characters, cannot run into the text). */
const macOf = (key: KeyObject, user: string, text: string): string =>
  createHmac('sha256', key)
    .update(JSON.stringify(['sync-token', user, text]))
    .digest()
    .subarray(0, 16)
    .toString('base64url');

export function encodeSyncToken(key: KeyObject, user: string, position: SyncPosition): string {
  const text = `s2.${position.seq.toString(36)}.${position.floor.toString(36)}`;
  return `${text}.${macOf(key, user, text)}`;
}

/** The position of a token issued to `user` under `key`, or undefined when it is not one. */
export function decodeSyncToken(key: KeyObject, user: string, token: string): SyncPosition | undefined {
  const match = TOKEN.exec(token);
  if (!match) return undefined;
  // The text is compared, not the bytes it decodes to: base64url's last character has spare bits.
  const authentic = timingSafeEqual(Buffer.from(macOf(key, user, match[1])), Buffer.from(match[4]));
  if (!authentic) return undefined;
  const position = { seq: parseInt(match[2], 36), floor: parseInt(match[3], 36) };
  const valid =
    Number.isSafeInteger(position.seq) &&
    Number.isSafeInteger(position.floor) &&
    position.floor >= position.seq;
  return valid ? position : undefined;
}
