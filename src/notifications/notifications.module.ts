import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { NotificationsRepository } from './notifications.repository.js';

/**
 * The per-user notification outbox: reminders write to it (ReminderFiring); the channels read it
 * (`notificationsAfter`: live event streams; later Web Push and webhooks).
 */
@Module({
  imports: [DatabaseModule],
  providers: [NotificationsRepository],
  exports: [NotificationsRepository],
})
export class NotificationsModule {}
