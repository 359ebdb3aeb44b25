import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { NoNulCharacters } from '../../tasks/dto/validators.js';
import { USER_LIMITS } from '../list.schema.js';
import { MEMBER_ROLES, ROLES, type MemberRole, type Role } from '../roles.js';

/** A member of a list, as every member sees them. The columns are MEMBER_COLUMNS. */
export class MemberDto {
  /**
   * The member's user id (their token's `sub`).
   * @example "user_2x9k3h"
   */
  user_id: string;

  /**
   * The email their latest token carried; `null` when none did (or they never called this API).
   * @example "ann@example.com"
   */
  @ApiProperty({ type: String, nullable: true })
  email: string | null;

  /**
   * The name their latest token carried; `null` when none did.
   * @example "Ann"
   */
  @ApiProperty({ type: String, nullable: true })
  name: string | null;

  /**
   * Their role: `viewer` reads the list, `editor` also writes its tasks, `owner` also manages the list.
   * @example "editor"
   */
  @ApiProperty({ enum: ROLES })
  role: Role;

  /** When they became a member (for the owner: when the list was made). @example "2026-11-26T17:49:08.123Z" */
  @ApiProperty({ format: 'date-time' })
  joined_at: string;
}

/** `PATCH /api/lists/{id}/members/{user_id}` (owner): the member's new role. Any other field is rejected. */
export class UpdateMemberDto {
  /**
   * `editor` or `viewer` (the owner's role changes only by a transfer).
   * @example "viewer"
   */
  @ApiProperty({ enum: MEMBER_ROLES })
  @IsIn(MEMBER_ROLES)
  role: MemberRole;
}

/** `POST /api/lists/{id}/transfer` (owner): who becomes the owner. Any other field is rejected. */
export class TransferListDto {
  /**
   * The user id of a current member (not the owner); you become an editor.
   * @example "user_7q2m1p"
   */
  @IsString()
  @NoNulCharacters()
  @Length(1, USER_LIMITS.id)
  user_id: string;
}
