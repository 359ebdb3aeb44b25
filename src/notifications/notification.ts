import type { ReminderNotification } from './notification.dto.js';

export { ReminderNotification } from './notification.dto.js';

/** How long a notification stays in the outbox: channels read it within seconds; a stream that was away longer starts afresh. */
export const OUTBOX_RETENTION_DAYS = 7;

/** The notification types the outbox holds (webhook and push events come with their channels). */
export const NOTIFICATION_TYPES = ['reminder'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export type Notification = ReminderNotification;

/** A notification in its user's outbox: `seq` numbers one user's notifications 1, 2, 3… in commit order. */
export interface OutboxEntry {
  seq: number;
  notification: Notification;
}

/** What goes into the outbox: the user it is for, and the notification. */
export interface OutboxWrite {
  user_id: string;
  notification: Notification;
}
