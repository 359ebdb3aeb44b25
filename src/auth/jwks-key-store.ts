import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type FlattenedJWSInput,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { ProblemException } from '../errors/problem.exception.js';

export interface KeyStoreOptions {
  /** Longest wait for the JWKS endpoint, and the longest a token with an unknown `kid` waits for a fetch. */
  timeoutMs: number;
  /** Fetches for unknown `kid`s start at most once per this interval (one fetch in flight at a time). */
  refetchIntervalMs: number;
  /** A `kid` a fresh fetch did not hold is refused without fetching for this long. */
  unknownKidMs: number;
  /** The key set is fetched again this often (JWT_JWKS_REFRESH_S): a withdrawn key goes within it. */
  refreshMs: number;
  /** This long after the last successful fetch the keys are no longer trusted (JWT_JWKS_MAX_STALE_S). */
  maxStaleMs: number;
}

export const DEFAULT_KEY_STORE_OPTIONS: KeyStoreOptions = {
  timeoutMs: 3000,
  refetchIntervalMs: 1000,
  unknownKidMs: 30_000,
  refreshMs: 120_000,
  maxStaleMs: 3_600_000,
};

/** Unknown `kid`s remembered at most (a longer `kid` is never remembered: it is no key of Better Auth's). */
const UNKNOWN_KIDS_MAX = 1000;
const UNKNOWN_KID_MAX_LENGTH = 128;

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
 * stale a failed refetch fails every token, and its cool-down refuses an unknown `kid` for 30 s
 * after any fetch. Here:
 * - a token with an unknown `kid` waits for a fetch that started after it arrived (so a key made
 *   after the last fetch, or while the JWKS was unreachable, verifies on its first request), at most
 *   `timeoutMs`. Fetches run one at a time and those for unknown `kid`s start at most once per
 *   `refetchIntervalMs`: every token waiting meanwhile shares the next one, so a flood of random
 *   `kid`s costs the auth server one fetch per interval. A `kid` that such a fresh fetch did not hold
 *   is refused at once for `unknownKidMs`;
 * - the key set is fetched again every `refreshMs`; a key withdrawn from it stops verifying then,
 *   and `onChange` listeners (the token cache, live event streams) hear of it;
 * - while the JWKS endpoint fails, a token whose key is cached still verifies, for `maxStaleMs`
 *   after the last successful fetch; after that JwksStaleError (503) until a fetch succeeds, and
 *   `onChange` listeners hear when that moment comes.
 */
export class JwksKeyStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(JwksKeyStore.name);
  private local?: LocalSet;
  private keyIds: ReadonlySet<string> = new Set();
  private fetchedAt = 0;
  /** Fetches started so far (each is numbered by it), when the last one started, how the last to end went. */
  private started = 0;
  private lastStart = -Infinity;
  private finished = { number: 0, ok: false };
  private inflight?: Promise<void>;
  /** The fetch unknown `kid`s wait for while the interval since the last one runs. */
  private next?: Promise<void>;
  private readonly unknownKids: LRUCache<string, true>;
  private readonly listeners = new Set<() => void>();
  private refreshTimer?: NodeJS.Timeout;
  private staleTimer?: NodeJS.Timeout;

  constructor(
    private readonly url: URL,
    private readonly options: KeyStoreOptions = DEFAULT_KEY_STORE_OPTIONS,
  ) {
    this.unknownKids = new LRUCache({ max: UNKNOWN_KIDS_MAX, ttl: options.unknownKidMs });
  }

  onModuleInit(): void {
    // Warm the cache (a failure here costs nothing: an unknown kid fetches again), then keep it current.
    void this.refresh();
    this.refreshTimer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.refreshTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.refreshTimer);
    clearTimeout(this.staleTimer);
  }

  /** Keys were fetched once, but not successfully for longer than `maxStaleMs`. */
  stale(now = Date.now()): boolean {
    return this.fetchedAt > 0 && now - this.fetchedAt > this.options.maxStaleMs;
  }

  /** The `kid`s of the key set last fetched. */
  get kids(): ReadonlySet<string> {
    return this.keyIds;
  }

  /**
   * Calls `listener` after every successful fetch (keys may have been withdrawn) and when the keys
   * turn stale; returns what stops it.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** The key for a token's protected header (jose's JWTVerifyGetKey). */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    // Fetches numbered above this one started after the token arrived.
    const before = this.started;
    const deadline = Date.now() + this.options.timeoutMs;
    const kid = header.kid ?? '';
    for (;;) {
      if (this.stale()) throw new JwksStaleError();
      const key = await this.match(header, token);
      if (key) return key;
      if (this.unknownKids.has(kid)) throw new errors.JWKSNoMatchingKey();
      if (this.finished.number > before) {
        // A fetch that started after the token arrived does not hold its key (or failed).
        if (this.finished.ok && kid.length <= UNKNOWN_KID_MAX_LENGTH) this.unknownKids.set(kid, true);
        throw new errors.JWKSNoMatchingKey();
      }
      if (!(await settlesBefore(deadline, this.nextFetch()))) throw new errors.JWKSNoMatchingKey();
    }
  };

  /** Fetches the key set now, or joins the fetch in flight; never rejects (a failure is logged). */
  refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async match(header: JWSHeaderParameters, token: FlattenedJWSInput) {
    if (!this.local) return undefined;
    try {
      return await this.local(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey) return undefined;
      throw err;
    }
  }

  /** The fetch in flight, else the next one: now, or once `refetchIntervalMs` has passed since the last start. */
  private nextFetch(): Promise<void> {
    if (this.inflight) return this.inflight;
    const wait = this.lastStart + this.options.refetchIntervalMs - Date.now();
    if (wait <= 0) return this.refresh();
    this.next ??= new Promise<void>((resolve) => setTimeout(resolve, wait).unref()).then(() => {
      this.next = undefined;
      return this.refresh();
    });
    return this.next;
  }

  private async fetchKeys(): Promise<void> {
    const number = ++this.started;
    this.lastStart = Date.now();
    let ok = false;
    try {
      const res = await fetch(this.url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (res.status !== 200) throw new Error(`JWKS answered ${res.status}`);
      const jwks = (await res.json()) as JSONWebKeySet;
      this.local = createLocalJWKSet(jwks);
      this.keyIds = new Set(
        jwks.keys.map((k) => k.kid).filter((kid): kid is string => typeof kid === 'string'),
      );
      this.fetchedAt = Date.now();
      ok = true;
    } catch (err) {
      this.logger.warn(`JWKS fetch from ${this.url.href} failed: ${(err as Error).message}`);
    }
    this.finished = { number, ok };
    if (ok) {
      this.announceStaleness();
      this.changed();
    }
  }

  /**
   * Tells the listeners when the keys turn stale without another good fetch. A timer can fire a few
   * milliseconds before Date.now() says the time has come (Node starts it from the event loop's
   * cached clock), so it checks and waits the rest again rather than miss the moment.
   */
  private announceStaleness(): void {
    clearTimeout(this.staleTimer);
    const left = this.fetchedAt + this.options.maxStaleMs + 1 - Date.now();
    if (left <= 0) return this.changed();
    this.staleTimer = setTimeout(() => this.announceStaleness(), left);
    this.staleTimer.unref();
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.logger.error(`A JWKS change listener failed: ${(err as Error).message}`);
      }
    }
  }
}

/** Whether `promise` settles before `deadline` (ms since the epoch). */
async function settlesBefore(deadline: number, promise: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
