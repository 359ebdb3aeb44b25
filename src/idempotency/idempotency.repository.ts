import { Injectable } from '@nestjs/common';
import { LOCK_CLASS } from '../database/advisory-locks.js';
import { Database, sql } from '../database/database.js';

/** Hours a key is kept (ignored at once when older, deleted by the sweep). */
export const IDEMPOTENCY_TTL_HOURS = 24;
/** Expired keys deleted per statement by the sweep. */
export const SWEEP_BATCH = 5000;

/** The SQL of `idempotency_keys`: each statement in the caller's transaction when there is one. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly db: Database) {}

  /**
   * Takes the transaction-scoped lock of (user, key), in the Idempotency-Key class of advisory locks
   * (LOCK_CLASS), when it is free: false when a concurrent transaction holds it.
   */
  async tryLock(userId: string, key: string): Promise<boolean> {
    const [{ locked }] = await this.db.rows<{ locked: boolean }>(
      sql(`SELECT pg_try_advisory_xact_lock($1, hashtext($2 || E'\\n' || $3)) AS locked`, [
        LOCK_CLASS.idempotencyKey,
        userId,
        key,
      ]),
    );
    return locked;
  }

  /** The unexpired result stored under (user, key), with the fingerprint of its request. */
  async find<T>(userId: string, key: string): Promise<{ request_hash: string; body: T } | undefined> {
    const [stored] = await this.db.rows<{ request_hash: string; body: T }>(
      sql(
        'SELECT request_hash, body FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND expires_at > now()',
        [userId, key],
      ),
    );
    return stored;
  }

  /** Stores `body` under (user, key) for IDEMPOTENCY_TTL_HOURS, over an expired one. */
  async store(userId: string, key: string, requestHash: string, body: unknown): Promise<void> {
    await this.db.bookkeeping(
      userId,
      sql(
        `INSERT INTO idempotency_keys (user_id, key, request_hash, body, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5))
         ON CONFLICT (user_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
           body = EXCLUDED.body, created_at = now(), expires_at = EXCLUDED.expires_at`,
        [userId, key, requestHash, JSON.stringify(body), IDEMPOTENCY_TTL_HOURS],
      ),
    );
  }

  /**
   * Deletes at most SWEEP_BATCH expired keys in one statement; instances sweeping at once share the
   * work (SKIP LOCKED). How many it deleted.
   */
  async sweepBatch(): Promise<number> {
    const { count } = await this.db.housekeeping(
      sql(
        `DELETE FROM idempotency_keys WHERE (user_id, key) IN (
           SELECT user_id, key FROM idempotency_keys WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)`,
        [SWEEP_BATCH],
      ),
    );
    return count;
  }
}
