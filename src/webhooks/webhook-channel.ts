import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { DeliveryRunner } from '../delivery/delivery-runner.js';
import { OutboundHttp } from '../delivery/outbound-http.js';
import type { ClaimedDelivery, DeliverySender, SendOutcome } from '../delivery/sender.js';
import type { OutboxWrite } from '../notifications/notification.js';
import { NotificationChannels, type NotificationChannel } from '../notifications/notification-channels.js';
import { webhookBody } from './webhook-payload.js';
import { WEBHOOK_GONE_STATUSES, WEBHOOK_USER_AGENT } from './webhook.schema.js';
import { WebhooksRepository } from './webhooks.repository.js';

/**
 * Webhooks as a channel: told of fired reminders in the firing transaction (NotificationChannels), it
 * writes their deliveries; task events are written by the trigger on tasks. It sends each delivery
 * (DeliveryRunner) as a Standard Webhooks POST signed with the `standardwebhooks` library:
 * `webhook-id` the message id (the same on every retry), `webhook-timestamp` the attempt's time,
 * `webhook-signature` `v1,<base64 HMAC-SHA256 of id.timestamp.body>`. A `410` disables the webhook.
 */
@Injectable()
export class WebhookChannel implements NotificationChannel, DeliverySender, OnModuleInit {
  readonly name = 'webhook';
  readonly channel = 'webhook';

  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly http: OutboundHttp,
    private readonly channels: NotificationChannels,
    private readonly runner: DeliveryRunner,
  ) {}

  onModuleInit(): void {
    this.channels.register(this);
    this.runner.register(this);
  }

  enqueue(writes: readonly OutboxWrite[]): Promise<void> {
    return this.webhooks.enqueueReminders(writes);
  }

  async send(delivery: ClaimedDelivery): Promise<SendOutcome> {
    const target = await this.webhooks.target(delivery.webhook_id!);
    if (!target) return { kind: 'failed', error: 'the webhook was deleted' };
    if (!target.enabled) return { kind: 'failed', error: 'the webhook is disabled' };
    const body = webhookBody(delivery.event, delivery.created_at, delivery.payload);
    const now = new Date();
    const headers = {
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      'webhook-id': delivery.message_id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(target.secret).sign(delivery.message_id, now, body),
    };
    return this.http.post(target.url, headers, body, WEBHOOK_GONE_STATUSES);
  }

  async gone(delivery: ClaimedDelivery, outcome: SendOutcome & { kind: 'gone' }): Promise<void> {
    await this.webhooks.disable(delivery.webhook_id!, `the receiver answered ${outcome.status} Gone`);
  }
}
