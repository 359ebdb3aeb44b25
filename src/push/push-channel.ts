import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DeliveryRunner } from '../delivery/delivery-runner.js';
import { OutboundHttp } from '../delivery/outbound-http.js';
import type { ClaimedDelivery, DeliverySender, SendOutcome } from '../delivery/sender.js';
import type { OutboxWrite, ReminderNotification } from '../notifications/notification.js';
import { NotificationChannels, type NotificationChannel } from '../notifications/notification-channels.js';
import { pushPayload, topicOf } from './push-payload.js';
import { PushRepository } from './push.repository.js';
import { PUSH_GONE_STATUSES, PUSH_TTL_S, PUSH_URGENCY } from './push.schema.js';
import { Vapid, type VapidDetails } from './vapid.js';

/**
 * Web Push as a channel (RFC 8030/8291/8292): told of fired reminders in the firing transaction, it
 * writes a delivery per subscription of the user; an instance with VAPID keys sends them.
 * Each is encrypted and signed by the `web-push` library (aes128gcm, a VAPID JWT for the push
 * service's origin) with `TTL`, `Urgency: high` and a `Topic` per reminder occurrence, and POSTed
 * through the shared OutboundHttp (the address rule, the timeout). A 404 or 410 deletes the subscription.
 */
@Injectable()
export class PushChannel implements NotificationChannel, DeliverySender, OnModuleInit {
  readonly name = 'push';
  readonly channel = 'push';

  constructor(
    private readonly subscriptions: PushRepository,
    private readonly http: OutboundHttp,
    private readonly vapid: Vapid,
    private readonly channels: NotificationChannels,
    private readonly runner: DeliveryRunner,
  ) {}

  /**
   * Writing deliveries does not depend on this instance's keys (subscriptions exist only where push
   * was configured when they were made, and whichever instance fires a reminder writes them);
   * sending them does.
   */
  onModuleInit(): void {
    this.channels.register(this);
    if (this.vapid.details) this.runner.register(this);
  }

  enqueue(writes: readonly OutboxWrite[]): Promise<void> {
    return this.subscriptions.enqueueReminders(writes);
  }

  async send(delivery: ClaimedDelivery): Promise<SendOutcome> {
    const target = await this.subscriptions.target(delivery.subscription_id!);
    if (!target) return { kind: 'failed', error: 'the subscription was deleted' };
    // Loaded on the first send: an instance that sends no push never holds the library (≈ 5 MiB).
    const { default: webpush } = await import('web-push');
    const request = webpush.generateRequestDetails(
      { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
      pushPayload(delivery.payload as ReminderNotification),
      {
        vapidDetails: this.vapid.details as VapidDetails,
        TTL: PUSH_TTL_S,
        urgency: PUSH_URGENCY,
        topic: topicOf(delivery.message_id),
        contentEncoding: 'aes128gcm',
      },
    );
    // Undici sets the length from the body itself.
    const headers = Object.fromEntries(
      Object.entries(request.headers)
        .filter(([name]) => name.toLowerCase() !== 'content-length')
        .map(([name, value]) => [name, String(value)]),
    );
    return this.http.post(request.endpoint, headers, request.body, PUSH_GONE_STATUSES);
  }

  async gone(delivery: ClaimedDelivery): Promise<void> {
    await this.subscriptions.drop(delivery.subscription_id!);
  }
}
