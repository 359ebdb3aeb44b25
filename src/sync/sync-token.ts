import { checksum } from '../common/fingerprint.js';

/**
 * A sync token: where a client stands in its user's change sequence.
 *
 * - `seq`: it has every change numbered up to here;
 * - `floor`: deletions numbered up to here cannot concern it (it is `seq`, or, on the later pages of
 *   a full sync, the head of the sequence when the full sync began: a task deleted before then was
 *   never in the client's copy). The token is expired (410) once a tombstone above `floor` is swept.
 *
 * Written `s1.<seq>.<floor>.<checksum>` (base 36), the checksum over the user and both numbers, so a
 * token that was edited, cut or issued to another user fails to decode (400). `s1.` versions it.
 */
export interface SyncPosition {
  seq: number;
  floor: number;
}

const TOKEN = /^s1\.([0-9a-z]{1,11})\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{12})$/;

const sumOf = (user: string, { seq, floor }: SyncPosition) =>
  checksum(`sync\u0000${user}\u0000${seq}\u0000${floor}`);

export const encodeSyncToken = (user: string, position: SyncPosition): string =>
  `s1.${position.seq.toString(36)}.${position.floor.toString(36)}.${sumOf(user, position)}`;

/** The position of a token issued to `user`, or undefined when it is not one. */
export function decodeSyncToken(user: string, token: string): SyncPosition | undefined {
  const match = TOKEN.exec(token);
  if (!match) return undefined;
  const position = { seq: parseInt(match[1], 36), floor: parseInt(match[2], 36) };
  const valid =
    Number.isSafeInteger(position.seq) &&
    Number.isSafeInteger(position.floor) &&
    position.floor >= position.seq &&
    sumOf(user, position) === match[3];
  return valid ? position : undefined;
}
