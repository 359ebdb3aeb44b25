import type { Task } from '../tasks/dto/task.dto.js';

/** How long a notification stays in the outbox: channels read it within seconds; a stream that was away longer starts afresh. */
export const OUTBOX_RETENTION_DAYS = 7;

/** The notification types the outbox holds (webhook and push events come with their channels). */
export const NOTIFICATION_TYPES = ['reminder'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/**
 * A reminder occurrence that fired (contract: "Reminders and notifications"): what every channel
 * delivers, the same body everywhere. `id` is unique across users and stays the same on every
 * delivery attempt of every channel (a webhook's `webhook-id`, a push message's `Topic` source).
 */
export interface ReminderNotification {
  id: string;
  type: 'reminder';
  reminder_id: string;
  /** The occurrence it reminds of: the task's `due_date` then (relative reminders), or its `at`. */
  occurrence: string;
  /** When it was due to fire. */
  fire_at: string;
  /** The task as it was when the reminder fired. */
  task: Task;
}

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
