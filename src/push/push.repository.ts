import { Injectable } from '@nestjs/common';
import { advisoryLock, LOCK_CLASS } from '../database/advisory-locks.js';
import { Database, sql } from '../database/database.js';
import { SERVICE_KEY } from '../database/server-pool.js';
import type { OutboxWrite } from '../notifications/notification.js';

/** A push subscription as the sender needs it. */
export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/**
 * The SQL of push subscriptions (migration Channels) and of their deliveries in the shared
 * deliveries table. An endpoint belongs to the user who registered it last (one browser, one
 * user signed in): registering it takes it from anyone else, with the deliveries that were theirs.
 * Writes are bookkeeping, never announced: no task changed.
 */
@Injectable()
export class PushRepository {
  constructor(private readonly db: Database) {}

  /**
   * Stores the user's subscription (the same endpoint again: its keys are replaced, its id kept),
   * unless they have `max` others already (counted under their lock in this transaction). Its id, or
   * null at the limit.
   */
  upsert(userId: string, endpoint: string, keys: PushTarget, max: number): Promise<string | null> {
    return this.db.locked(userId, advisoryLock(LOCK_CLASS.pushSubscriptionsOfUser, userId), async () => {
      await this.db.bookkeeping(
        userId,
        sql(
          `WITH taken AS (DELETE FROM push_subscriptions WHERE endpoint = $2 AND user_id <> $1 RETURNING id)
           SELECT count(*) FROM taken`,
          [userId, endpoint],
        ),
      );
      const [row] = await this.db.bookkeeping<{ id: string | null }>(
        userId,
        sql(
          `WITH n AS (SELECT count(*)::int AS mine FROM push_subscriptions WHERE user_id = $1 AND endpoint <> $2),
                s AS (INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth)
                      SELECT $1, $2, $3, $4 FROM n WHERE n.mine < $5
                      ON CONFLICT (endpoint) DO UPDATE SET p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth
                      RETURNING id)
           SELECT s.id FROM n LEFT JOIN s ON true`,
          [userId, endpoint, keys.p256dh, keys.auth, max],
        ),
      );
      return row.id;
    });
  }

  /** Deletes one of the user's subscriptions (its deliveries with it): whether there was one. */
  delete(userId: string, id: string): Promise<boolean> {
    return this.db.deleted(
      userId,
      sql('DELETE FROM push_subscriptions WHERE id = $1 AND user_id = $2 RETURNING id', [id, userId]),
    );
  }

  /** Writes a delivery of each notification to every subscription of its user, in the current transaction (the firing's). */
  async enqueueReminders(writes: readonly OutboxWrite[]): Promise<void> {
    await this.db.bookkeeping(
      SERVICE_KEY,
      sql(
        `INSERT INTO deliveries (channel, subscription_id, message_id, event, payload)
         SELECT 'push', s.id, (e.v->'notification'->>'id')::uuid, 'reminder.fired', e.v->'notification'
           FROM jsonb_array_elements($1::jsonb) AS e(v)
           JOIN push_subscriptions s ON s.user_id = e.v->>'user_id'`,
        [JSON.stringify(writes)],
      ),
    );
  }

  /** A subscription's endpoint and keys, for its sender (undefined once deleted). */
  async target(id: string): Promise<PushTarget | undefined> {
    const [row] = await this.db.rows<PushTarget>(
      sql(`SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE id = $1`, [id]),
    );
    return row;
  }

  /** Deletes a subscription the push service says is gone (404/410), in the current transaction. */
  async drop(id: string): Promise<void> {
    await this.db.bookkeeping(SERVICE_KEY, sql(`DELETE FROM push_subscriptions WHERE id = $1`, [id]));
  }
}
