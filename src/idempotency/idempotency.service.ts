import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type pg from 'pg';
import { Database, sql } from '../database/database.js';
import { sweepEvery, sweepInBatches } from '../database/sweep.js';

export const IDEMPOTENCY_TTL_HOURS = 24;
/** Expired keys deleted per statement by the sweep. */
export const SWEEP_BATCH = 5000;
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

  constructor(private readonly db: Database) {}

  /** `work`'s result, or the one stored under (user, key) by an earlier run with the same `requestHash`. */
  run<T>(
    userId: string,
    key: string,
    requestHash: string,
    work: (tx: pg.PoolClient) => Promise<T>,
  ): Promise<{ value: T; replayed: boolean }> {
    return this.db.transaction(async (tx) => {
      const [{ locked }] = await this.db.rows<{ locked: boolean }>(
        sql(`SELECT pg_try_advisory_xact_lock(hashtextextended($1 || E'\\n' || $2, 0)) AS locked`, [
          userId,
          key,
        ]),
        tx,
      );
      if (!locked) throw new IdempotencyKeyInFlightError();

      const [stored] = await this.db.rows<{ request_hash: string; body: T }>(
        sql(
          'SELECT request_hash, body FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND expires_at > now()',
          [userId, key],
        ),
        tx,
      );
      if (stored) {
        if (stored.request_hash !== requestHash) throw new IdempotencyKeyReusedError();
        return { value: stored.body, replayed: true };
      }

      const value = await work(tx);
      await this.db.execute(
        sql(
          `INSERT INTO idempotency_keys (user_id, key, request_hash, body, expires_at)
           VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5))
           ON CONFLICT (user_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
             body = EXCLUDED.body, created_at = now(), expires_at = EXCLUDED.expires_at`,
          [userId, key, requestHash, JSON.stringify(value), IDEMPOTENCY_TTL_HOURS],
        ),
        tx,
      );
      return { value, replayed: false };
    });
  }

  /**
   * Deletes expired keys in batches of SWEEP_BATCH, each its own statement well inside the statement
   * timeout, however many a day left behind; any number of instances may sweep at once (SKIP LOCKED:
   * they share the work instead of waiting on each other). How many it deleted.
   */
  async sweep(): Promise<number> {
    const batch = sql(
      `DELETE FROM idempotency_keys WHERE (user_id, key) IN (
         SELECT user_id, key FROM idempotency_keys WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)`,
      [SWEEP_BATCH],
    );
    return sweepInBatches(SWEEP_BATCH, () => this.db.execute(batch));
  }

  onModuleInit(): void {
    this.stopSweeping = sweepEvery(CLEANUP_EVERY_MS, () => this.sweep(), this.logger, 'Idempotency key');
  }

  onModuleDestroy(): void {
    this.stopSweeping?.();
  }
}
