import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { NotificationChannels } from './notification-channels.js';
import { NotificationsRepository } from './notifications.repository.js';

/**
 * The per-user notification outbox: reminders write to it (ReminderFiring); the channels read it
 * (`notificationsAfter`: live event streams). Channels that retry on their own (Web Push, webhooks)
 * register with NotificationChannels and record their deliveries in the firing transaction.
 */
@Module({
  imports: [DatabaseModule],
  providers: [NotificationsRepository, NotificationChannels],
  exports: [NotificationsRepository, NotificationChannels],
})
export class NotificationsModule {}
