import { Injectable } from '@nestjs/common';
import { Database, sql } from '../database/database.js';
import { SERVICE_KEY } from '../database/server-pool.js';
import type { Channel, DeliveryStatus } from './delivery.schema.js';
import type { ClaimedDelivery } from './sender.js';

/** What an attempt leaves on its delivery: `pending` again after `retryInMs`, or finished. */
export interface AttemptRecord {
  status: DeliveryStatus;
  /** With `pending`: when the next attempt may start, from now. */
  retryInMs?: number;
  httpStatus?: number;
  error?: string;
}

/**
 * The SQL of the deliveries table (migration Channels) that both channels share: the claim with its
 * lease, the record of an attempt, the cleanup. Each channel writes its own deliveries (in the
 * transaction that made the message) and reads its own log.
 */
@Injectable()
export class DeliveriesRepository {
  constructor(private readonly db: Database) {}

  /**
   * Claims up to `limit` due deliveries of `channels` (soonest first; rows another sender holds are
   * skipped, never waited for) and leases them for `leaseMs`: `attempts` + 1, `lease_until` set. A
   * lease that ran out (its sender died or hung) makes the row due again: at-least-once, with the
   * same `message_id`.
   */
  async claim(channels: readonly Channel[], limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows = await this.db.bookkeeping<ClaimedDelivery>(
      SERVICE_KEY,
      sql(
        `WITH due AS (
           SELECT id FROM deliveries
            WHERE status = 'pending' AND next_attempt_at <= now()
              AND (lease_until IS NULL OR lease_until <= now()) AND channel = ANY ($1::text[])
            ORDER BY next_attempt_at
            LIMIT $2
              FOR UPDATE SKIP LOCKED)
         UPDATE deliveries d
            SET attempts = d.attempts + 1, lease_until = now() + make_interval(secs => $3::float8 / 1000)
           FROM due WHERE d.id = due.id
         RETURNING d.id, d.channel, d.webhook_id, d.subscription_id, d.message_id, d.event, d.payload,
                   d.attempts, d.created_at`,
        [channels, limit, leaseMs],
      ),
    );
    return rows;
  }

  /**
   * Records attempt number `attempts` of delivery `id`, if that attempt still holds it (a sender
   * whose lease ran out and was claimed again records nothing: the later attempt does). Whether it
   * recorded. In the current transaction when there is one (a target that is gone is dropped in the same one).
   */
  async record(id: string, attempts: number, outcome: AttemptRecord): Promise<boolean> {
    const [row] = await this.db.bookkeeping<{ n: number }>(
      SERVICE_KEY,
      sql(
        `WITH recorded AS (
         UPDATE deliveries
            SET status = $3::varchar, lease_until = NULL, last_status = $4, last_error = $5,
                next_attempt_at = CASE WHEN $3::varchar = 'pending' THEN now() + make_interval(secs => $6::float8 / 1000) ELSE next_attempt_at END,
                finished_at = CASE WHEN $3::varchar = 'pending' THEN NULL ELSE now() END
          WHERE id = $1 AND attempts = $2 AND status = 'pending'
          RETURNING id)
         SELECT count(*)::int AS n FROM recorded`,
        [
          id,
          attempts,
          outcome.status,
          outcome.httpStatus ?? null,
          outcome.error ?? null,
          outcome.retryInMs ?? 0,
        ],
      ),
    );
    return row.n > 0;
  }

  /** Deletes at most `batch` deliveries made more than `days` ago and finished (SKIP LOCKED). How many. */
  async sweepBatch(days: number, batch: number): Promise<number> {
    const { count } = await this.db.housekeeping(
      sql(
        `DELETE FROM deliveries WHERE id IN (
           SELECT id FROM deliveries WHERE created_at < now() - make_interval(days => $1) AND status <> 'pending'
            LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [days, batch],
      ),
    );
    return count;
  }
}
