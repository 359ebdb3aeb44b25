import { ApiProperty } from '@nestjs/swagger';
import type { Priority } from '../task.schema.js';
import { Recurrence } from './recurrence.dto.js';

/**
 * A to-do item, as every route returns it and the repository reads it: timestamps already as
 * `Date#toISOString()` strings (see database/timestamps.ts). The columns are TASK_COLUMNS.
 */
export class Task {
  /**
   * Server-generated id.
   * @example "3f8e2c1a-5b7d-4e9f-a1c2-0d3b4e5f6a7b"
   */
  id: string;

  /**
   * The creator: the `sub` of the token that created the task. Never taken from input. (Who may
   * see and change it is decided by its list: `list_id`.)
   * @example "user_2x9k3h"
   */
  user_id: string;

  /**
   * Trimmed, 1–200 characters.
   * @example "Buy groceries"
   */
  title: string;

  /**
   * Free text, at most 1000 characters.
   * @example "Milk, eggs, bread"
   */
  description: string | null;

  /** Whether the task is done. */
  completed: boolean;

  /** @example "medium" */
  priority: Priority;

  /**
   * When the task is due, in UTC.
   * @example "2026-12-01T17:00:00.000Z"
   */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  due_date: string | null;

  /**
   * Lower-cased, trimmed, de-duplicated; at most 10 of 1–32 characters each.
   * @example ["home", "errand"]
   */
  tags: string[];

  /**
   * Set by the server when the task is created.
   * @example "2026-11-26T17:49:08.123Z"
   */
  @ApiProperty({ format: 'date-time' })
  created_at: string;

  /**
   * Set by the server on every change.
   * @example "2026-11-26T17:49:08.123Z"
   */
  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  /**
   * Starts at 1 and grows by one on every change; the task's `ETag` is `"<version>"`.
   * @example 1
   */
  version: number;

  /**
   * The parent task, for a subtask (one level: a subtask has no subtasks); `null` for a top-level
   * task. Set on create, changed only by `POST /api/tasks/{id}/move`.
   * @example null
   */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  parent_id: string | null;

  /**
   * The task's place among its siblings (same `parent_id`): an opaque key, assigned by the server,
   * that orders byte-wise (`sort=position`). Never writable; change it with `move`.
   * @example "a0"
   */
  position: string;

  /**
   * The IANA time zone a recurring task's occurrences are computed in (wall-clock time: "09:00
   * Europe/Berlin" stays 09:00 local across daylight-saving changes); `null` means UTC.
   * @example "Europe/Berlin"
   */
  @ApiProperty({ type: String, nullable: true })
  time_zone: string | null;

  /**
   * How the task repeats, or `null`. Completing a recurring task records the completion and moves
   * `due_date` to the next occurrence (the task stays `completed: false`); when the series has no
   * next occurrence the task is completed for good.
   */
  @ApiProperty({ type: Recurrence, nullable: true })
  recurrence: Recurrence | null;

  /**
   * Set by the server: when an occurrence of this task was last completed.
   * @example null
   */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_completed_at: string | null;

  /**
   * The list the task belongs to (default on create: your inbox). Its members see the task.
   * @example "7c1e4a52-0b8d-4f3e-9a61-2d5c8e9f0a1b"
   */
  @ApiProperty({ format: 'uuid' })
  list_id: string;

  /**
   * The member of the task's list it is assigned to (their user id), or `null`. Cleared when that
   * member leaves or is removed from the list, and when the task moves to a list they are not in.
   * @example null
   */
  @ApiProperty({ type: String, nullable: true })
  assignee_id: string | null;
}
