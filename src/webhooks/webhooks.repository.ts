import { Injectable } from '@nestjs/common';
import { advisoryLock, LOCK_CLASS } from '../database/advisory-locks.js';
import { Database, sql } from '../database/database.js';
import { SERVICE_KEY } from '../database/server-pool.js';
import type { OutboxWrite } from '../notifications/notification.js';
import type { WebhookDeliveryDto, WebhookDto } from './dto/webhook.dto.js';
import type { WebhookEvent } from './webhook.schema.js';

/** What the sender needs of a webhook. */
export interface WebhookTarget {
  url: string;
  secret: string;
  enabled: boolean;
}

const FIELDS = 'id, url, events, enabled, disabled_reason, created_at';

/**
 * The SQL of webhooks (migration Channels): a user's webhooks (every statement names the user, so
 * another user's webhook is never seen), their deliveries in the shared deliveries table (the
 * reminders' ones written here, in the firing transaction; task events by the trigger on tasks),
 * and what the sender needs. Writes are bookkeeping, never announced: no task changed.
 */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly db: Database) {}

  /**
   * Makes a webhook unless the user has `max` already: counted under the user's webhook lock in this
   * transaction, so concurrent creates take turns and never pass the limit together. Null at the limit.
   */
  create(
    userId: string,
    webhook: { url: string; events: WebhookEvent[]; secret: string },
    max: number,
  ): Promise<WebhookDto | null> {
    return this.db.locked(userId, advisoryLock(LOCK_CLASS.webhooksOfUser, userId), async () => {
      const [row] = await this.db.bookkeeping<WebhookDto & { taken: number }>(
        userId,
        sql(
          `WITH n AS (SELECT count(*)::int AS taken FROM webhooks WHERE user_id = $1),
                w AS (INSERT INTO webhooks (user_id, url, events, secret)
                      SELECT $1, $2, $3::text[], $4 FROM n WHERE n.taken < $5
                      RETURNING ${FIELDS})
           SELECT n.taken, w.* FROM n LEFT JOIN w ON true`,
          [userId, webhook.url, webhook.events, webhook.secret, max],
        ),
      );
      return row.id ? pick(row) : null;
    });
  }

  /** The user's webhooks, oldest first. */
  async list(userId: string): Promise<WebhookDto[]> {
    const rows = await this.db.rows<WebhookDto>(
      sql(`SELECT ${FIELDS} FROM webhooks WHERE user_id = $1 ORDER BY created_at, id`, [userId]),
      userId,
    );
    return rows.map(pick);
  }

  /**
   * Changes one of the user's webhooks (null when it is not theirs): what `changes` names. Enabling
   * clears `disabled_reason`; disabling it (when enabled) sets `reason` and fails what waits to be
   * sent, as a receiver's `410` does. The trigger on webhooks re-computes which lists it watches.
   */
  async update(
    userId: string,
    id: string,
    changes: { url?: string; events?: WebhookEvent[]; enabled?: boolean },
    reason: string,
  ): Promise<WebhookDto | null> {
    const [row] = await this.db.bookkeeping<WebhookDto>(
      userId,
      sql(
        `WITH w AS (
           UPDATE webhooks
              SET url = COALESCE($3, url), events = COALESCE($4::text[], events),
                  enabled = COALESCE($5, enabled),
                  disabled_reason = CASE WHEN $5 IS TRUE THEN NULL
                                         WHEN $5 IS FALSE AND enabled THEN $6
                                         ELSE disabled_reason END
            WHERE id = $1 AND user_id = $2
            RETURNING ${FIELDS}),
         failed AS (
           UPDATE deliveries SET status = 'failed', lease_until = NULL, finished_at = now(),
                  last_error = 'webhook disabled: ' || $6
            WHERE webhook_id = $1 AND status = 'pending' AND $5 IS FALSE AND EXISTS (SELECT 1 FROM w))
         SELECT * FROM w`,
        [id, userId, changes.url ?? null, changes.events ?? null, changes.enabled ?? null, reason],
      ),
    );
    return row ? pick(row) : null;
  }

  /** Deletes one of the user's webhooks (its deliveries with it): whether there was one. */
  delete(userId: string, id: string): Promise<boolean> {
    return this.db.deleted(
      userId,
      sql('DELETE FROM webhooks WHERE id = $1 AND user_id = $2 RETURNING id', [id, userId]),
    );
  }

  /** The newest `limit` deliveries of one of the user's webhooks, newest first; null when it is not theirs. */
  async deliveries(userId: string, id: string, limit: number): Promise<WebhookDeliveryDto[] | null> {
    const rows = await this.db.rows<WebhookDeliveryDto & { found: boolean }>(
      sql(
        `SELECT d.*
           FROM webhooks w
           LEFT JOIN LATERAL (
             SELECT message_id AS webhook_id, event, status, attempts, last_status, last_error, created_at, finished_at
               FROM deliveries WHERE webhook_id = w.id ORDER BY id DESC LIMIT $3) d ON true
          WHERE w.id = $1 AND w.user_id = $2`,
        [id, userId, limit],
      ),
      userId,
    );
    if (!rows.length) return null;
    return rows.filter((r) => r.webhook_id !== null);
  }

  /**
   * Writes a `reminder.fired` delivery of each notification to every enabled webhook of its user
   * that wants it, in the current transaction (the firing's).
   */
  async enqueueReminders(writes: readonly OutboxWrite[]): Promise<void> {
    await this.db.bookkeeping(
      SERVICE_KEY,
      sql(
        `INSERT INTO deliveries (channel, webhook_id, message_id, event, payload)
         SELECT 'webhook', w.id, (e.v->'notification'->>'id')::uuid, 'reminder.fired', e.v->'notification'
           FROM jsonb_array_elements($1::jsonb) AS e(v)
           JOIN webhooks w ON w.user_id = e.v->>'user_id'
          WHERE w.enabled AND 'reminder.fired' = ANY (w.events)`,
        [JSON.stringify(writes)],
      ),
    );
  }

  /** The URL, secret and state of a webhook, for its sender (undefined once deleted). */
  async target(id: string): Promise<WebhookTarget | undefined> {
    const [row] = await this.db.rows<WebhookTarget>(
      sql(`SELECT url, secret, enabled FROM webhooks WHERE id = $1`, [id]),
    );
    return row;
  }

  /** Disables a webhook (`reason` shown to its owner) and fails its pending deliveries, in the current transaction. */
  async disable(id: string, reason: string): Promise<void> {
    await this.db.bookkeeping(
      SERVICE_KEY,
      sql(
        `WITH w AS (UPDATE webhooks SET enabled = false, disabled_reason = $2 WHERE id = $1 AND enabled RETURNING id)
         UPDATE deliveries SET status = 'failed', lease_until = NULL, finished_at = now(),
                last_error = 'webhook disabled: ' || $2
          WHERE webhook_id = $1 AND status = 'pending'`,
        [id, reason],
      ),
    );
  }
}

/** The API's webhook (the columns of FIELDS only). */
function pick(row: WebhookDto): WebhookDto {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    enabled: row.enabled,
    disabled_reason: row.disabled_reason,
    created_at: row.created_at,
  };
}
