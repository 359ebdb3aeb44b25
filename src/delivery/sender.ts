import type { Channel } from './delivery.schema.js';

/** A delivery the sender claimed (leased): what a channel needs to send it. */
export interface ClaimedDelivery {
  id: string;
  channel: Channel;
  /** The webhook or the push subscription it goes to (the other is null). */
  webhook_id: string | null;
  subscription_id: string | null;
  /** The message's id: the same on every attempt (a webhook's `webhook-id`; a push message's `Topic` source). */
  message_id: string;
  event: string;
  payload: unknown;
  /** This attempt's number, 1 for the first (the claim counted it). */
  attempts: number;
  created_at: string;
}

/** What became of one attempt. */
export type SendOutcome =
  /** A 2xx. */
  | { kind: 'delivered'; status: number }
  /** A timeout, a network error, 429 or 5xx: tried again later (`retryAfterMs`: the receiver's `Retry-After`). */
  | { kind: 'retry'; status?: number; error: string; retryAfterMs?: number }
  /** For good: an address refused, a redirect, another 4xx. */
  | { kind: 'failed'; status?: number; error: string }
  /** The target says it is gone (a webhook's 410, a push subscription's 404/410): the channel drops it. */
  | { kind: 'gone'; status: number; error: string };

/**
 * A channel's sending side, registered with DeliveryRunner when the app starts. `send` makes one
 * attempt and never throws for what the receiver did; `gone` runs in the transaction that records
 * the outcome when the target said it is gone.
 */
export interface DeliverySender {
  readonly channel: Channel;
  send(delivery: ClaimedDelivery): Promise<SendOutcome>;
  gone(delivery: ClaimedDelivery, outcome: SendOutcome & { kind: 'gone' }): Promise<void>;
}
