import { createHash } from 'node:crypto';

/** A value as JSON with every object's keys sorted: equal values give equal text, whatever their key order. */
export function canonicalJson(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object' && !(v instanceof Date)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(canonical(value));
}

/** SHA-256 (hex) of a value's canonical JSON. */
export const fingerprint = (value: unknown): string =>
  createHash('sha256').update(canonicalJson(value)).digest('hex');

/**
 * A short checksum (12 base64url characters of SHA-256) of `text`, for opaque tokens we hand out
 * (listing cursors): a cut or edited token fails it. Not a secret: a client that forges one only
 * moves within its own data. (Sync tokens are authenticated with a key instead: sync-token.ts.)
 */
export const checksum = (text: string): string =>
  createHash('sha256').update(text).digest('base64url').slice(0, 12);
