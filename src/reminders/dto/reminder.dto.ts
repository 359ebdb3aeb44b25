import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A reminder, as its user sees it (nobody else ever does). Exactly one of `before_minutes` and `at` is present. */
export class ReminderDto {
  /**
   * Server-generated id.
   * @example "5d6c3a1e-8f2b-4c7d-9e0a-1b2c3d4e5f60"
   */
  id: string;

  /**
   * The task it reminds of.
   * @example "3f8e2c1a-5b7d-4e9f-a1c2-0d3b4e5f6a7b"
   */
  task_id: string;

  /**
   * A relative reminder: minutes before the task's `due_date`.
   * @example 15
   */
  @ApiPropertyOptional({ type: 'integer' })
  before_minutes?: number;

  /**
   * An absolute reminder: when, in UTC.
   * @example "2026-12-01T07:30:00.000Z"
   */
  @ApiPropertyOptional({ type: String, format: 'date-time' })
  at?: string;

  /**
   * When it fires next, in UTC; `null` when nothing is armed: it fired (a relative reminder on a
   * recurring task comes back with the next occurrence), the task is completed, or has no `due_date`.
   * @example "2026-12-01T07:30:00.000Z"
   */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  next_fire_at: string | null;
}
