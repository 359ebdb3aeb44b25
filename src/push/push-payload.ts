import type { ReminderNotification } from '../notifications/notification.js';
import { PUSH_PAYLOAD_MAX } from './push.schema.js';

/**
 * A push message's plaintext: the notification, as every channel sends it. When that is longer
 * than one push record carries (PUSH_PAYLOAD_MAX bytes: a long description in a multi-byte script),
 * its task is cut to `{ id, title, due_date, list_id }` and `truncated: true` says so (the app
 * fetches the rest).
 */
export function pushPayload(notification: ReminderNotification): string {
  const whole = JSON.stringify(notification);
  if (Buffer.byteLength(whole) <= PUSH_PAYLOAD_MAX) return whole;
  const { id, title, due_date, list_id } = notification.task;
  return JSON.stringify({ ...notification, task: { id, title, due_date, list_id }, truncated: true });
}

/**
 * The push message's `Topic` (RFC 8030 §5.4: at most 32 URL-safe base64 characters): the
 * notification's id without its dashes (32 hex digits). One per reminder occurrence, the same on every
 * retry, so a push service replaces an undelivered copy instead of queueing a second.
 */
export const topicOf = (messageId: string): string => messageId.replaceAll('-', '');
