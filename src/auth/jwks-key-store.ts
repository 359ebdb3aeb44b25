import { Logger } from '@nestjs/common';
import {
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type FlattenedJWSInput,
} from 'jose';

export interface KeyStoreOptions {
  /** Longest wait for the JWKS endpoint. */
  timeoutMs: number;
  /** At most one fetch per this interval for unknown `kid`s, however many arrive. */
  refetchIntervalMs: number;
  /** After this age the key set is refreshed in the background (the old one stays in use meanwhile). */
  maxAgeMs: number;
}

export const DEFAULT_KEY_STORE_OPTIONS: KeyStoreOptions = {
  timeoutMs: 3000,
  refetchIntervalMs: 2000,
  maxAgeMs: 10 * 60_000,
};

type LocalSet = ReturnType<typeof createLocalJWKSet>;

/**
 * Better Auth's public keys, cached. jose's createRemoteJWKSet is close, but once its cache is
 * stale a failed refetch fails every token, and its cool-down counts from the last *successful*
 * fetch, so during an outage each unknown `kid` waits for a timeout. Here:
 * - a token whose key is cached always verifies, whatever the JWKS endpoint is doing;
 * - an unknown `kid` refetches at most once per `refetchIntervalMs` (concurrent ones share it),
 *   so a flood of random kids cannot hammer the auth server;
 * - an old key set is refreshed in the background and kept when the refresh fails.
 */
export class JwksKeyStore {
  private readonly logger = new Logger(JwksKeyStore.name);
  private local?: LocalSet;
  private fetchedAt = 0;
  private lastAttempt = -Infinity;
  private inflight?: Promise<void>;

  constructor(
    private readonly url: URL,
    private readonly options: KeyStoreOptions = DEFAULT_KEY_STORE_OPTIONS,
  ) {}

  /** The key for a token's protected header (jose's JWTVerifyGetKey). */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    if (this.local && Date.now() - this.fetchedAt > this.options.maxAgeMs)
      void this.refresh().catch(() => undefined);
    if (this.local) {
      try {
        return await this.local(header, token);
      } catch (err) {
        if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      }
    }
    if (Date.now() - this.lastAttempt < this.options.refetchIntervalMs && !this.inflight) {
      throw new errors.JWKSNoMatchingKey();
    }
    await this.refresh();
    if (!this.local) throw new errors.JWKSNoMatchingKey();
    return this.local(header, token);
  };

  /** Fetches the key set now (one fetch at a time); keeps the previous set on failure. */
  refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    this.lastAttempt = Date.now();
    try {
      const res = await fetch(this.url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (res.status !== 200) throw new Error(`JWKS answered ${res.status}`);
      const jwks = (await res.json()) as JSONWebKeySet;
      this.local = createLocalJWKSet(jwks);
      this.fetchedAt = Date.now();
    } catch (err) {
      this.logger.warn(`JWKS fetch from ${this.url.href} failed: ${(err as Error).message}`);
      throw new errors.JWKSNoMatchingKey();
    }
  }
}
