import { createHash, createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * A sync token: where a client stands in the sequences it follows (migration SharedSync).
 *
 * - `lists`: it has every change of its own list feed numbered up to here;
 * - `streams`: per owner whose lists it can see (keyed by `streamKey(owner)`), its place in that
 *   owner's change sequence: `seq`, it has every change of the lists it can see numbered up to here,
 *   and `floor`, deletions numbered up to here cannot concern it (it is `seq`, or, on the later pages
 *   of a full sync or of a stream new to the token, the head of that sequence when the client began
 *   reading it: a task deleted before then was never in the client's copy). A stream is expired
 *   (410) once a tombstone above its `floor` is swept. An owner absent from the token is one the
 *   client has nothing of: it is read from its beginning.
 *
 * Written `s3.<lists>[.<key><seq>[~<floor>]]….<mac>` (numbers in base 36, `~floor` only when it is
 * not `seq`), the mac the first 128 bits (base64url) of an HMAC-SHA256 under the server's sync-token
 * key (SyncTokens) of the user and the text before it. So a token that was edited (in any
 * character), cut, issued to another user, or made by anyone without the key fails to decode (400),
 * whatever checksum it carries. `s3.` versions it: the one-sequence `s2.` tokens of earlier releases
 * are not tokens any more (clients start over with a full sync).
 */
export interface StreamPosition {
  seq: number;
  floor: number;
}

export interface SyncPosition {
  lists: number;
  /** By `streamKey(owner)`. */
  streams: Map<string, StreamPosition>;
}

/** Characters of a stream key: 48 bits of SHA-256 of the owner's id, base64url. */
export const STREAM_KEY_LENGTH = 8;

/**
 * An owner's stream in a token: short (a token holds one per owner the client can see) and the same
 * as PostgreSQL computes it (`streamKeySql`), so the page statement finds each owner's position.
 * 48 bits: two owners one reader can see collide with odds far below any other failure.
 */
export const streamKey = (owner: string): string =>
  createHash('sha256').update(owner, 'utf8').digest().subarray(0, 6).toString('base64url');

/** `streamKey` of the SQL expression `owner`. */
export const streamKeySql = (owner: string): string =>
  `translate(encode(substring(sha256(convert_to(${owner}, 'UTF8')) FROM 1 FOR 6), 'base64'), '+/', '-_')`;

const TOKEN =
  /^s3\.[0-9a-z]{1,11}(?:\.[A-Za-z0-9_-]{8}[0-9a-z]{1,11}(?:~[0-9a-z]{1,11})?)*\.[A-Za-z0-9_-]{22}$/;
const STREAM = /^([A-Za-z0-9_-]{8})([0-9a-z]{1,11})(?:~([0-9a-z]{1,11}))?$/;

/** The mac of `text` for `user` (JSON: the user's id, whatever its characters, cannot run into the text). */
const macOf = (key: KeyObject, user: string, text: string): string =>
  createHmac('sha256', key)
    .update(JSON.stringify(['sync-token', user, text]))
    .digest()
    .subarray(0, 16)
    .toString('base64url');

/** The text a token's mac is made over (what `encodeSyncToken` writes before the mac). */
export function syncTokenText(position: SyncPosition): string {
  const parts = ['s3', position.lists.toString(36)];
  for (const [stream, at] of [...position.streams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (at.seq === 0 && at.floor === 0) continue;
    const floor = at.floor === at.seq ? '' : `~${at.floor.toString(36)}`;
    parts.push(`${stream}${at.seq.toString(36)}${floor}`);
  }
  return parts.join('.');
}

export function encodeSyncToken(key: KeyObject, user: string, position: SyncPosition): string {
  const text = syncTokenText(position);
  return `${text}.${macOf(key, user, text)}`;
}

/** The position of a token issued to `user` under `key`, or undefined when it is not one. */
export function decodeSyncToken(key: KeyObject, user: string, token: string): SyncPosition | undefined {
  if (!TOKEN.test(token)) return undefined;
  const cut = token.lastIndexOf('.');
  const text = token.slice(0, cut);
  // The text is compared, not the bytes it decodes to: base64url's last character has spare bits.
  const authentic = timingSafeEqual(Buffer.from(macOf(key, user, text)), Buffer.from(token.slice(cut + 1)));
  if (!authentic) return undefined;
  const [, lists, ...streams] = text.split('.');
  const position: SyncPosition = { lists: parseInt(lists, 36), streams: new Map() };
  if (!Number.isSafeInteger(position.lists)) return undefined;
  for (const part of streams) {
    const [, stream, seqText, floorText] = STREAM.exec(part)!;
    const seq = parseInt(seqText, 36);
    const floor = floorText === undefined ? seq : parseInt(floorText, 36);
    const valid =
      Number.isSafeInteger(seq) &&
      Number.isSafeInteger(floor) &&
      floor >= seq &&
      !position.streams.has(stream);
    if (!valid) return undefined;
    position.streams.set(stream, { seq, floor });
  }
  return position;
}
