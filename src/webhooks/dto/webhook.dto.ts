import { ApiProperty } from '@nestjs/swagger';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../delivery/delivery.schema.js';
import { WEBHOOK_EVENTS, type WebhookEvent } from '../webhook.schema.js';

/** A webhook, as its owner sees it (the secret is shown once, when it is made). */
export class WebhookDto {
  /**
   * Server-generated id.
   * @example "7b0e2a4c-1d3f-4e5a-9b6c-8d7e6f5a4b3c"
   */
  id: string;

  /**
   * Where deliveries go.
   * @example "https://example.com/hooks/tasks"
   */
  url: string;

  /**
   * The events it receives.
   * @example ["reminder.fired", "task.completed"]
   */
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true })
  events: WebhookEvent[];

  /**
   * `false` once the receiver answered `410 Gone`, or its owner paused it: nothing more is delivered
   * until `PATCH` sets it `true` again.
   * @example true
   */
  enabled: boolean;

  /**
   * Why it was disabled, `null` while it is enabled.
   * @example null
   */
  @ApiProperty({ type: String, nullable: true })
  disabled_reason: string | null;

  /**
   * When it was made (UTC).
   * @example "2026-12-06T17:00:00.000Z"
   */
  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;
}

/** A webhook just made: with its signing secret, shown this once. */
export class CreatedWebhookDto extends WebhookDto {
  /**
   * The signing secret (Standard Webhooks, `whsec_` + base64): verify every delivery's
   * `webhook-signature` with it (docs/reminders.md). Shown only in this answer; store it.
   * @example "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
   */
  secret: string;
}

/** One delivery of a webhook, as its log shows it. */
export class WebhookDeliveryDto {
  /**
   * The message's `webhook-id` header: the same on every attempt (the notification's id for
   * `reminder.fired`, the change's id for task events). A receiver that has seen it already drops it.
   * @example "0c9f1e2d-3b4a-4c5d-8e7f-6a5b4c3d2e1f"
   */
  webhook_id: string;

  /**
   * The event.
   * @example "reminder.fired"
   */
  @ApiProperty({ enum: WEBHOOK_EVENTS })
  event: WebhookEvent;

  /**
   * `pending` (waiting for its first attempt, or between retries), `delivered` (a `2xx`), or `failed`
   * (for good: another `4xx`, a redirect, an address refused, `410`, or 24 h of retries).
   * @example "delivered"
   */
  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: DeliveryStatus;

  /**
   * Attempts made so far.
   * @example 1
   */
  @ApiProperty({ type: 'integer' })
  attempts: number;

  /**
   * The HTTP status of the last attempt, `null` when it got none (a timeout, a network error, an address refused).
   * @example 200
   */
  @ApiProperty({ type: 'integer', nullable: true })
  last_status: number | null;

  /**
   * What went wrong with the last attempt, `null` when nothing did.
   * @example null
   */
  @ApiProperty({ type: String, nullable: true })
  last_error: string | null;

  /**
   * When the event happened and the delivery was made (UTC).
   * @example "2026-12-06T17:00:00.000Z"
   */
  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;

  /**
   * When it was delivered or failed for good, `null` while pending.
   * @example "2026-12-06T17:00:00.412Z"
   */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finished_at: string | null;
}
