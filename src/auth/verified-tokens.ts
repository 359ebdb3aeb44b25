import { LRUCache, type Perf } from 'lru-cache';
import type { AuthUser } from './auth-user.js';

/** How long a verified token is remembered at most, whatever its own lifetime. */
export const VERIFIED_TOKEN_TTL_MS = 5 * 60_000;
/** How many verified tokens are remembered; the least recently used go first. */
export const VERIFIED_TOKEN_MAX = 10_000;
/** And how much memory they may take together (a token's length plus its user, roughly). */
export const VERIFIED_TOKEN_MAX_BYTES = 16 * 1024 * 1024;
const sizeOf = (token: string, user: AuthUser) =>
  token.length +
  user.sub.length +
  (user.email?.length ?? 0) +
  (user.name?.length ?? 0) +
  (user.jwksKid?.length ?? 0) +
  64;

/**
 * Tokens that passed verification, with their user, until they expire (`exp` + the allowed
 * clock skew) and for at most 5 minutes. A client sends the same token for every request of a
 * session, so most requests skip the signature check and passport's per-request machinery
 * (bench/README.md has the costs). Only verified tokens are kept, keyed by the whole token, so a
 * token differing in any byte is verified afresh; a rejected token is never remembered.
 * Tokens verified by a key that Better Auth withdraws from its JWKS (`jwksKid`) are forgotten at the
 * next fetch of the key set (JwksKeyStore, every JWT_JWKS_REFRESH_S).
 */
export class VerifiedTokens {
  private readonly cache: LRUCache<string, AuthUser>;

  /** `clock` (milliseconds since the epoch, like `exp` × 1000) is for tests. */
  constructor(
    private readonly skewSeconds: number,
    private readonly clock: Perf = Date,
  ) {
    this.cache = new LRUCache<string, AuthUser>({
      max: VERIFIED_TOKEN_MAX,
      maxSize: VERIFIED_TOKEN_MAX_BYTES,
      sizeCalculation: (user, token) => sizeOf(token, user),
      perf: clock,
      ttlResolution: 0,
    });
  }

  get(token: string): AuthUser | undefined {
    return this.cache.get(token);
  }

  /** Remembers a token that was just verified; its `exp` (already checked) bounds the stay. */
  remember(token: string, user: AuthUser): void {
    const exp = expiryOf(token);
    if (exp === undefined) return;
    const ttl = Math.min(VERIFIED_TOKEN_TTL_MS, (exp + this.skewSeconds) * 1000 - this.clock.now());
    if (ttl > 0) this.cache.set(token, user, { ttl });
  }

  /** Forgets the tokens verified by a JWKS key that is no longer in the key set (`kids`). */
  forgetKeysOtherThan(kids: ReadonlySet<string>): void {
    for (const [token, { jwksKid }] of this.cache.entries()) {
      if (jwksKid !== undefined && !kids.has(jwksKid)) this.cache.delete(token);
    }
  }
}

/** The `exp` claim of a token whose signature has been verified. */
function expiryOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}
