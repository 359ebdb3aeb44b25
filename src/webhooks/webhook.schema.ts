/** The facts about webhooks that SQL, DTOs, the service and tests agree on (the migration Channels makes the tables). */

/** What a webhook may subscribe to (contract: "Reminders and notifications"); the table's check holds the same list. */
export const WEBHOOK_EVENTS = [
  'reminder.fired',
  'task.created',
  'task.updated',
  'task.completed',
  'task.deleted',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const WEBHOOK_LIMITS = {
  /** Webhooks one user may have. */
  perUser: 10,
  /** A URL's length (its column's). */
  urlLength: 2048,
  /** Deliveries `GET /api/webhooks/{id}/deliveries` shows, newest first. */
  log: 100,
  /** Random bytes in a signing secret (Standard Webhooks: 24–64). */
  secretBytes: 32,
} as const;

/** Standard Webhooks' prefix of a base64 signing secret. */
export const SECRET_PREFIX = 'whsec_';

/** `disabled_reason` of a webhook its owner paused (PATCH `enabled: false`). */
export const WEBHOOK_DISABLED_BY_OWNER = 'disabled by its owner';

/** The receiver's answers that disable a webhook. */
export const WEBHOOK_GONE_STATUSES = [410] as const;

/** The `User-Agent` of every delivery. */
export const WEBHOOK_USER_AGENT = 'tasks-api-webhooks/1';
