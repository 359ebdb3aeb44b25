import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * App passwords: what they look like, and their slow hash. Pure functions (no database), with unit specs.
 *
 * A password is 24 characters of a 32-letter alphabet without look-alikes (no `l`, `o`, `0`, `1`),
 * shown in groups of four (`abcd-efgh-…`) so a person can type it on a phone: 120 random bits. The
 * first four characters are its `lookup` (stored in clear, 20 bits: which of the user's passwords to
 * check), the other 100 bits are the secret. Dashes, spaces and case do not matter when it is typed.
 */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const LENGTH = 24;
const GROUP = 4;
export const LOOKUP_LENGTH = 4;
const NORMALISED = new RegExp(`^[${ALPHABET}]{${LENGTH}}$`);

/**
 * scrypt's cost: N = 2^14, r = 8, p = 5 is one of OWASP's equivalent settings (16 MiB of memory per
 * hash, about the CPU of N = 2^17 with p = 1); the parameters are stored with each hash, so they can
 * rise later without invalidating older passwords.
 */
export const SCRYPT = { N: 2 ** 14, r: 8, p: 5, keyLength: 32, saltLength: 16 } as const;
const HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Memory scrypt may use: what N and r need, with room (Node's default of 32 MiB is just short of N = 2^15). */
const maxmem = (N: number, r: number) => 128 * N * r * 2;

/** A new password, grouped for display (`abcd-efgh-ijkm-npqr-stuv-wxyz`). */
export function newAppPassword(): string {
  const chars = [...randomBytes(LENGTH)].map((b) => ALPHABET[b & 31]).join('');
  return chars.match(new RegExp(`.{${GROUP}}`, 'g'))!.join('-');
}

/** The password as typed, without dashes, spaces or case; null when it cannot be an app password. */
export function normaliseAppPassword(typed: string): string | null {
  const plain = typed.replace(/[\s-]/g, '').toLowerCase();
  return NORMALISED.test(plain) ? plain : null;
}

/** The clear part of a (normalised) password that picks the hash to check. */
export const lookupOf = (normalised: string): string => normalised.slice(0, LOOKUP_LENGTH);

/** The stored form of a (normalised) password: `scrypt$N$r$p$salt$key`, base64url. */
export async function hashAppPassword(normalised: string): Promise<string> {
  const { N, r, p, keyLength, saltLength } = SCRYPT;
  const salt = randomBytes(saltLength);
  const key = await scrypt(normalised, salt, keyLength, { N, r, p, maxmem: maxmem(N, r) });
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `normalised` is the password `stored` was made from (false for a stored form it cannot read). */
export async function verifyAppPassword(normalised: string, stored: string): Promise<boolean> {
  const m = HASH.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const expected = Buffer.from(m[5], 'base64url');
  const key = await scrypt(normalised, Buffer.from(m[4], 'base64url'), expected.length, {
    N,
    r,
    p,
    maxmem: maxmem(N, r),
  });
  return timingSafeEqual(key, expected);
}
