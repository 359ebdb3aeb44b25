import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { PushChannel } from './push-channel.js';
import { PushController } from './push.controller.js';
import { PushRepository } from './push.repository.js';
import { PushService } from './push.service.js';
import { Vapid } from './vapid.js';

/**
 * Web Push: the VAPID key and `/api/push-subscriptions` (rules in PushService, SQL in
 * PushRepository), and the channel (PushChannel: reminders in the firing transaction, sent by the
 * shared DeliveryRunner), on when VAPID keys are configured.
 */
@Module({
  imports: [DatabaseModule, NotificationsModule, DeliveryModule],
  controllers: [PushController],
  providers: [PushService, PushRepository, PushChannel, Vapid],
})
export class PushModule {}
