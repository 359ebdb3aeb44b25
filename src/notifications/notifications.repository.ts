import { Injectable } from '@nestjs/common';
import { Database, sql } from '../database/database.js';
import { SERVICE_KEY } from '../database/server-pool.js';
import type { Notification, OutboxEntry, OutboxWrite } from './notification.js';

/**
 * The per-user notification outbox (migration Reminders): each user's notifications numbered 1, 2,
 * 3… (`seq`) by their row in `notification_counters`, which the writing transaction holds locked
 * until it commits, so a reader that follows `seq` never skips one that commits later.
 */
@Injectable()
export class NotificationsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Appends `entries` to their users' outboxes, in the order given per user, in the current
   * transaction (the caller's; it announces the users after COMMIT with Database.announceFor).
   * Counter rows are bumped in user order, so two writers over the same users never deadlock.
   * `created_at` is when the row was written (clock_timestamp: not the transaction's start, which
   * came before the claim), what `npm run bench:reminders` measures lateness to.
   */
  async append(entries: OutboxWrite[]): Promise<void> {
    if (!entries.length) return;
    const rows = entries.map((e) => ({ user_id: e.user_id, notification: e.notification }));
    await this.db.bookkeeping(
      SERVICE_KEY,
      sql(
        `WITH input AS (
           SELECT e.v->>'user_id' AS user_id, e.v->'notification' AS body, e.ord,
                  row_number() OVER (PARTITION BY e.v->>'user_id' ORDER BY e.ord) AS n,
                  count(*) OVER (PARTITION BY e.v->>'user_id') AS total
             FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(v, ord)),
         bumped AS (
           INSERT INTO notification_counters AS c (user_id, seq)
           SELECT user_id, max(total) FROM input GROUP BY user_id ORDER BY user_id
           ON CONFLICT (user_id) DO UPDATE SET seq = c.seq + EXCLUDED.seq
           RETURNING c.user_id, c.seq)
         INSERT INTO notifications (user_id, seq, id, type, body, created_at)
         SELECT i.user_id, b.seq - i.total + i.n, (i.body->>'id')::uuid, i.body->>'type', i.body, clock_timestamp()
           FROM input i JOIN bumped b ON b.user_id = i.user_id
          ORDER BY i.user_id, i.n`,
        [JSON.stringify(rows)],
      ),
    );
  }

  /**
   * `userId`'s notifications after `afterSeq` (0: from the first), oldest first, at most `limit`: what
   * a live stream sends after being told of a write of the user's (Database.onWrite). On the primary
   * (a replica may not have replayed the notification the stream was just told of).
   */
  async notificationsAfter(userId: string, afterSeq: number, limit: number): Promise<OutboxEntry[]> {
    const rows = await this.db.rows<{ seq: string; body: Notification }>(
      sql(`SELECT seq, body FROM notifications WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [
        userId,
        afterSeq,
        limit,
      ]),
      userId,
    );
    return rows.map((r) => ({ seq: Number(r.seq), notification: r.body }));
  }

  /**
   * Deletes at most `batch` notifications older than `days` in one statement; instances sweeping at
   * once share the work (SKIP LOCKED). How many it deleted. The counters stay: numbers are never reused.
   */
  async sweepBatch(days: number, batch: number): Promise<number> {
    const { count } = await this.db.housekeeping(
      sql(
        `DELETE FROM notifications WHERE (user_id, seq) IN (
           SELECT user_id, seq FROM notifications WHERE created_at < now() - make_interval(days => $1)
            LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [days, batch],
      ),
    );
    return count;
  }

  /** The number of `userId`'s newest notification (0: none yet): where a stream that wants no history starts. */
  async lastSeq(userId: string): Promise<number> {
    const [row] = await this.db.rows<{ seq: string }>(
      sql(`SELECT seq FROM notification_counters WHERE user_id = $1`, [userId]),
      userId,
    );
    return row ? Number(row.seq) : 0;
  }
}
