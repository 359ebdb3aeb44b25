import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from './auth-user.js';
import { JwksKeyStore } from './jwks-key-store.js';

/** Why a token that verified is no longer trusted: its key left the JWKS, or the JWKS went stale. */
export type TrustLoss = 'key-withdrawn' | 'keys-stale';

/** What TokenTrust reads of the key store. */
export type KeySource = Pick<JwksKeyStore, 'stale' | 'kids' | 'onChange'>;

/**
 * Whether a caller's token stays trusted after it verified, for what outlives its request's
 * check (a live event stream). A token of the shared secret (HS256) stays trusted until it expires;
 * one verified by a JWKS key stops being trusted when a fetch of the key set no longer holds that
 * key, or when the key set goes stale (JWT_JWKS_MAX_STALE_S). A token that named no `kid` cannot be
 * told apart from the others' keys, so, as in the token cache, it loses trust at the next fetch.
 */
@Injectable()
export class TokenTrust {
  constructor(@Inject(JwksKeyStore) private readonly keys: KeySource | null) {}

  /**
   * Calls `lost` once, as soon as `user`'s token is no longer trusted (at once when it already is
   * not); returns what stops watching.
   */
  watch(user: AuthUser, lost: (why: TrustLoss) => void): () => void {
    const { keys } = this;
    const kid = user.jwksKid;
    if (kid === undefined || !keys) return () => {};
    const check = (fetched: boolean): TrustLoss | undefined =>
      keys.stale()
        ? 'keys-stale'
        : (kid === '' ? fetched : !keys.kids.has(kid))
          ? 'key-withdrawn'
          : undefined;
    const now = check(false);
    if (now) {
      lost(now);
      return () => {};
    }
    const stop = keys.onChange(() => {
      const why = check(true);
      if (!why) return;
      stop();
      lost(why);
    });
    return stop;
  }
}
