import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type FlattenedJWSInput,
} from 'jose';
import { ProblemException } from '../errors/problem.exception.js';

export interface KeyStoreOptions {
  /** Longest wait for the JWKS endpoint. */
  timeoutMs: number;
  /** At most one fetch per this interval for unknown `kid`s, however many arrive. */
  refetchIntervalMs: number;
  /** The key set is fetched again this often (JWT_JWKS_REFRESH_S): a withdrawn key goes within it. */
  refreshMs: number;
  /** This long after the last successful fetch the keys are no longer trusted (JWT_JWKS_MAX_STALE_S). */
  maxStaleMs: number;
  /** Told the `kid`s of each key set fetched (the token cache forgets tokens of the others). */
  onKeys?: (kids: ReadonlySet<string>) => void;
}

export const DEFAULT_KEY_STORE_OPTIONS: KeyStoreOptions = {
  timeoutMs: 3000,
  refetchIntervalMs: 2000,
  refreshMs: 120_000,
  maxStaleMs: 3_600_000,
};

export const JWKS_STALE_DETAIL =
  "The service cannot currently check tokens against Better Auth's keys; try again shortly";

/**
 * The JWKS has not been fetched successfully for too long: its cached keys are not trusted any
 * more. `503` (retry), not `401`: the token may well be good, and a client that hears 401 logs out.
 */
export class JwksStaleError extends ProblemException {
  constructor() {
    super(503, JWKS_STALE_DETAIL, { headers: { 'Retry-After': '30' } });
  }
}

type LocalSet = ReturnType<typeof createLocalJWKSet>;

/**
 * Better Auth's public keys, cached. jose's createRemoteJWKSet is close, but once its cache is
 * stale a failed refetch fails every token, and its cool-down counts from the last *successful*
 * fetch, so during an outage each unknown `kid` waits for a timeout. Here:
 * - the key set is fetched again every `refreshMs`; a key withdrawn from it stops verifying then,
 *   and `onKeys` lets the token cache drop the tokens it verified;
 * - while the JWKS endpoint fails, a token whose key is cached still verifies, for `maxStaleMs`
 *   after the last successful fetch; after that JwksStaleError (503) until a fetch succeeds;
 * - an unknown `kid` refetches at most once per `refetchIntervalMs` (concurrent ones share it),
 *   so a flood of random kids cannot hammer the auth server.
 */
export class JwksKeyStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(JwksKeyStore.name);
  private local?: LocalSet;
  private fetchedAt = 0;
  private lastAttempt = -Infinity;
  private inflight?: Promise<void>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly url: URL,
    private readonly options: KeyStoreOptions = DEFAULT_KEY_STORE_OPTIONS,
  ) {}

  onModuleInit(): void {
    // Warm the cache (a failure here is retried on the first token), then keep it current.
    void this.refresh().catch(() => undefined);
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.options.refreshMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Keys were fetched once, but not successfully for longer than `maxStaleMs`. */
  stale(now = Date.now()): boolean {
    return this.fetchedAt > 0 && now - this.fetchedAt > this.options.maxStaleMs;
  }

  /** The key for a token's protected header (jose's JWTVerifyGetKey). */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    if (this.stale()) throw new JwksStaleError();
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
      const kids = new Set(
        jwks.keys.map((k) => k.kid).filter((kid): kid is string => typeof kid === 'string'),
      );
      this.options.onKeys?.(kids);
    } catch (err) {
      this.logger.warn(`JWKS fetch from ${this.url.href} failed: ${(err as Error).message}`);
      throw new errors.JWKSNoMatchingKey();
    }
  }
}
