import { ApiProperty } from '@nestjs/swagger';
import { Task } from '../tasks/dto/task.dto.js';

/**
 * A reminder occurrence that fired (contract: "Reminders and notifications"): what every channel
 * delivers, the same body everywhere (`event: reminder` on live streams, Web Push, webhooks). `id`
 * is unique across users and stays the same on every delivery attempt of every channel.
 */
export class ReminderNotification {
  /**
   * The notification's id: the same on every channel and every retry (a webhook's `webhook-id`).
   * @example "9b2f4c1e-7d3a-4e8b-a5c6-1f0e2d3c4b5a"
   */
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** @example "reminder" */
  @ApiProperty({ enum: ['reminder'] })
  type: 'reminder';

  /** The reminder that fired. */
  @ApiProperty({ format: 'uuid' })
  reminder_id: string;

  /**
   * The occurrence it reminds of: the task's `due_date` then (relative reminders), or the reminder's `at`.
   * @example "2026-12-01T09:00:00.000Z"
   */
  @ApiProperty({ format: 'date-time' })
  occurrence: string;

  /**
   * When it was due to fire.
   * @example "2026-12-01T08:45:00.000Z"
   */
  @ApiProperty({ format: 'date-time' })
  fire_at: string;

  /** The task as it was when the reminder fired. */
  task: Task;
}
