import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { NoNulCharacters } from '../../tasks/dto/validators.js';
import { USER_LIMITS } from '../list.schema.js';
import { MEMBER_ROLES, type MemberRole } from '../roles.js';

/** `POST /api/lists/{id}/invitations` (owner): a new invitation. Any other field is rejected. */
export class CreateInvitationDto {
  /**
   * The role the invitation grants.
   * @example "editor"
   */
  @ApiProperty({ enum: MEMBER_ROLES })
  @IsIn(MEMBER_ROLES)
  role: MemberRole;

  /**
   * Only a user whose token's `email` claim equals this (case-insensitive) may accept; absent or
   * `null`: anyone signed in who has the token. Stored lower-cased.
   */
  @ApiPropertyOptional({ type: String, nullable: true, format: 'email', example: 'bob@example.com' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @IsString()
  @NoNulCharacters()
  @MaxLength(USER_LIMITS.email)
  @IsEmail()
  email?: string | null;
}

/** An open invitation, as its list's owner sees it (never with its token). The columns are INVITATION_COLUMNS. */
export class InvitationDto {
  /** @example "5b0e6f9a-3c1d-4e2f-8a7b-9c0d1e2f3a4b" */
  id: string;

  /** @example "7c1e4a52-0b8d-4f3e-9a61-2d5c8e9f0a1b" */
  list_id: string;

  /** The role it grants. @example "editor" */
  @ApiProperty({ enum: MEMBER_ROLES })
  role: MemberRole;

  /** The email it is bound to (lower-cased), or `null` for anyone with the token. @example "bob@example.com" */
  @ApiProperty({ type: String, nullable: true })
  email: string | null;

  /** After this it can no longer be accepted. @example "2026-12-03T17:49:08.123Z" */
  @ApiProperty({ format: 'date-time' })
  expires_at: string;

  /** @example "2026-11-26T17:49:08.123Z" */
  @ApiProperty({ format: 'date-time' })
  created_at: string;
}

/** The answer to creating an invitation: the invitation with its token, shown this once (only its hash is kept). */
export class CreatedInvitationDto extends InvitationDto {
  /**
   * The secret to hand to the invitee (256 random bits, base64url); they call
   * `GET /api/invitations/{token}` and `POST /api/invitations/{token}/accept` with it.
   * @example "q3Xy8cT0f1bqkz5u2Zl8vZ0pHq6sWmX4JmYwGzq7V1k"
   */
  token: string;
}

/** Who invites. */
export class InviterDto {
  /** @example "ann@example.com" */
  @ApiProperty({ type: String, nullable: true })
  email: string | null;

  /** @example "Ann" */
  @ApiProperty({ type: String, nullable: true })
  name: string | null;
}

/** The list an invitation leads into. */
export class InvitedListDto {
  /** @example "7c1e4a52-0b8d-4f3e-9a61-2d5c8e9f0a1b" */
  id: string;

  /** @example "Groceries" */
  name: string;
}

/** What an invitation offers, as anyone signed in who holds its token sees it before accepting. */
export class InvitationPreviewDto {
  list: InvitedListDto;

  inviter: InviterDto;

  /** The role accepting grants. @example "editor" */
  @ApiProperty({ enum: MEMBER_ROLES })
  role: MemberRole;

  /** @example "2026-12-03T17:49:08.123Z" */
  @ApiProperty({ format: 'date-time' })
  expires_at: string;
}
