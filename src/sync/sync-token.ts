import { checksum } from '../common/fingerprint.js';

/**
 * Sync tokens: the number of the last change a client has (its user's change sequence), in base 36,
 * with a checksum over the user and the number, so a token that was edited, cut or issued to another
 * user fails to decode (400). `s1.` versions the format.
 */
const TOKEN = /^s1\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{12})$/;

const sumOf = (user: string, seq: number) => checksum(`sync\u0000${user}\u0000${seq}`);

export const encodeSyncToken = (user: string, seq: number): string =>
  `s1.${seq.toString(36)}.${sumOf(user, seq)}`;

/** The change number of a token issued to `user`, or undefined when it is not one. */
export function decodeSyncToken(user: string, token: string): number | undefined {
  const match = TOKEN.exec(token);
  if (!match) return undefined;
  const seq = parseInt(match[1], 36);
  return Number.isSafeInteger(seq) && sumOf(user, seq) === match[2] ? seq : undefined;
}
