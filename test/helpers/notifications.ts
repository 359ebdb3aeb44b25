import type { ReminderNotification } from '../../src/notifications/notification.js';
import { eventually } from './eventually.js';
import type { DirectQuery } from './pg.js';

/** A row of the notification outbox (what a fired reminder writes for its user). */
export interface OutboxRow {
  user_id: string;
  seq: string;
  body: ReminderNotification;
}

/** The notifications reminder `reminderId` has made, oldest first, read from the database itself. */
export const notificationsOf = (query: DirectQuery, reminderId: string) =>
  query<OutboxRow>(
    `SELECT user_id, seq, body FROM notifications WHERE body->>'reminder_id' = $1 ORDER BY seq`,
    [reminderId],
  );

/**
 * Those notifications once there is one, whichever app of the run fired it (they share the
 * database's queue; polled every 100 ms for up to 20 s).
 */
export const firedOnce = (query: DirectQuery, reminderId: string) =>
  eventually(
    async () => {
      const rows = await notificationsOf(query, reminderId);
      return rows.length > 0 && rows;
    },
    20_000,
    100,
  );
