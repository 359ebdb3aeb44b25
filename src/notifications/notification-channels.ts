import { Injectable } from '@nestjs/common';
import type { OutboxWrite } from './notification.js';

/**
 * A delivery channel that retries on its own (Web Push, webhooks): told of fired notifications in
 * the transaction that writes them to the outbox, it records its deliveries there too, so a
 * notification and its deliveries commit together or not at all. Sending happens later, outside that
 * transaction (the channel's own job on the queue).
 */
export interface NotificationChannel {
  /** For logs: `push`, `webhook`. */
  readonly name: string;
  /** Records the deliveries `writes` need, in the current transaction (Database.transaction). */
  enqueue(writes: readonly OutboxWrite[]): Promise<void>;
}

/**
 * The channels a fired notification goes to besides the live event streams (which read the outbox
 * themselves). Each channel's module registers it when the app starts (`onModuleInit`); the firing
 * transaction calls `enqueue` once per batch.
 */
@Injectable()
export class NotificationChannels {
  private readonly channels: NotificationChannel[] = [];

  register(channel: NotificationChannel): void {
    this.channels.push(channel);
  }

  /** Every channel records the deliveries of `writes`, one after the other, in the caller's transaction. */
  async enqueue(writes: readonly OutboxWrite[]): Promise<void> {
    if (!writes.length) return;
    for (const channel of this.channels) await channel.enqueue(writes);
  }
}
