import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { ReminderFiring } from './reminder-firing.js';
import { RemindersController, UserRemindersController } from './reminders.controller.js';
import { RemindersRepository } from './reminders.repository.js';
import { RemindersService } from './reminders.service.js';

/**
 * Reminders: `/api/tasks/{id}/reminders` (rules in RemindersService, SQL in RemindersRepository) and
 * their firing on the job queue into the notification outbox (ReminderFiring). CalDAV reads and
 * replaces a user's reminders through RemindersService (VALARMs).
 */
@Module({
  imports: [DatabaseModule, NotificationsModule, QueueModule],
  controllers: [RemindersController, UserRemindersController],
  providers: [RemindersService, RemindersRepository, ReminderFiring],
  exports: [RemindersService],
})
export class RemindersModule {}
