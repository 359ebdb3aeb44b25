import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { WebhookChannel } from './webhook-channel.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Webhooks: `/api/webhooks` (rules in WebhooksService, SQL in WebhooksRepository) and their
 * delivery as a channel (WebhookChannel: reminders in the firing transaction, task events from the
 * trigger on tasks, sent by the shared DeliveryRunner).
 */
@Module({
  imports: [DatabaseModule, NotificationsModule, DeliveryModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhooksRepository, WebhookChannel],
})
export class WebhooksModule {}
