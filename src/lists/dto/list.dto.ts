import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../roles.js';

/** A list, as the caller sees it (their role in it included). The columns are LIST_COLUMNS. */
export class ListDto {
  /**
   * Server-generated id.
   * @example "7c1e4a52-0b8d-4f3e-9a61-2d5c8e9f0a1b"
   */
  id: string;

  /**
   * Trimmed, 1–100 characters.
   * @example "Groceries"
   */
  name: string;

  /**
   * `#rrggbb`, lower-case; `null` for none.
   * @example "#3b82f6"
   */
  @ApiProperty({ type: String, nullable: true, pattern: '^#[0-9a-f]{6}$' })
  color: string | null;

  /**
   * Whether this is your own default list (every user has exactly one; it can be renamed, not deleted).
   * @example false
   */
  is_inbox: boolean;

  /**
   * The owner's user id.
   * @example "user_2x9k3h"
   */
  owner_id: string;

  /**
   * Your role in this list: `viewer` reads it, `editor` also writes its tasks, `owner` also renames,
   * recolours and deletes it.
   * @example "owner"
   */
  @ApiProperty({ enum: ROLES })
  role: Role;

  /**
   * How many members the list has, the owner included.
   * @example 1
   */
  member_count: number;

  /** @example "2026-11-26T17:49:08.123Z" */
  @ApiProperty({ format: 'date-time' })
  created_at: string;

  /** @example "2026-11-26T17:49:08.123Z" */
  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  /**
   * Starts at 1 and grows by one on every change; the list's `ETag` is `"<version>"`.
   * @example 1
   */
  version: number;
}
