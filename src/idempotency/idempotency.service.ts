import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Database } from '../database/database.js';
import { sweepEvery, sweepInBatches } from '../database/sweep.js';
import { IdempotencyRepository, SWEEP_BATCH } from './idempotency.repository.js';

export { IDEMPOTENCY_TTL_HOURS, SWEEP_BATCH } from './idempotency.repository.js';
const CLEANUP_EVERY_MS = 10 * 60_000;

/** The same key is being used by a request that has not finished. */
export class IdempotencyKeyInFlightError extends Error {
  static readonly detail = 'A request with this Idempotency-Key is still in progress';
  constructor() {
    super(IdempotencyKeyInFlightError.detail);
  }
}

/** The key was used before with a different request. */
export class IdempotencyKeyReusedError extends Error {
  static readonly detail = 'This Idempotency-Key was already used with a different request body';
  constructor() {
    super(IdempotencyKeyReusedError.detail);
  }
}

/**
 * `Idempotency-Key`s, kept in PostgreSQL so they hold across any number of instances.
 * One transaction per request: a transaction-scoped advisory lock on (user, key) makes a
 * concurrent duplicate an IdempotencyKeyInFlightError at once instead of a wait; then either the
 * stored result is replayed (same request), refused (IdempotencyKeyReusedError), or the work runs
 * and its result is stored in the same transaction, so a crash can never leave a task without its
 * key or a key without its task. Keys expire after 24 h (ignored at once, deleted by a periodic sweep).
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(IdempotencyService.name);
  private stopSweeping?: () => void;

  constructor(
    private readonly db: Database,
    private readonly keys: IdempotencyRepository,
  ) {}

  /**
   * `work`'s result (run in the same transaction of `userId`'s), or the one stored under (user, key)
   * by an earlier run of the same request: one whose fingerprint is among `requestHashes` (the first
   * is what is stored; the others are older ways of computing it that are still accepted).
   */
  run<T>(
    userId: string,
    key: string,
    requestHashes: string[],
    work: () => Promise<T>,
  ): Promise<{ value: T; replayed: boolean }> {
    return this.db.transaction(userId, async () => {
      if (!(await this.keys.tryLock(userId, key))) throw new IdempotencyKeyInFlightError();
      const stored = await this.keys.find<T>(userId, key);
      if (stored) {
        if (!requestHashes.includes(stored.request_hash)) throw new IdempotencyKeyReusedError();
        return { value: stored.body, replayed: true };
      }
      const value = await work();
      await this.keys.store(userId, key, requestHashes[0], value);
      return { value, replayed: false };
    });
  }

  /**
   * Deletes expired keys in batches of SWEEP_BATCH, each its own statement well inside the statement
   * timeout, however many a day left behind; any number of instances may sweep at once (SKIP LOCKED:
   * they share the work instead of waiting on each other). How many it deleted.
   */
  sweep(): Promise<number> {
    return sweepInBatches(SWEEP_BATCH, () => this.keys.sweepBatch());
  }

  onModuleInit(): void {
    this.stopSweeping = sweepEvery(CLEANUP_EVERY_MS, () => this.sweep(), this.logger, 'Idempotency key');
  }

  onModuleDestroy(): void {
    this.stopSweeping?.();
  }
}
