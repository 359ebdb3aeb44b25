import { ApiProperty } from '@nestjs/swagger';

/** An app password as its user sees it: never the password itself (it was shown once, when made). */
export class AppPasswordDto {
  /**
   * Server-generated id.
   * @example "0b6f2d1c-3a4e-4f5b-8c9d-7e6f5a4b3c2d"
   */
  id: string;

  /**
   * What it is for.
   * @example "iPhone Reminders"
   */
  name: string;

  /** @example "2026-12-06T17:30:00.000Z" */
  @ApiProperty({ format: 'date-time' })
  created_at: string;

  /**
   * When a CalDAV client last signed in with it (kept to the minute), or `null` when none has yet.
   * @example "2026-12-06T18:02:00.000Z"
   */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_used_at: string | null;
}

/** A new app password: the only answer that ever carries the password. */
export class CreatedAppPasswordDto {
  /** @example "0b6f2d1c-3a4e-4f5b-8c9d-7e6f5a4b3c2d" */
  id: string;

  /** @example "iPhone Reminders" */
  name: string;

  /**
   * The password, shown this once (only its hash is kept): 24 letters and digits in groups of four.
   * A CalDAV client signs in with your user id or email and this; dashes, spaces and case do not
   * matter when it is typed.
   * @example "k7dm-3xqa-pw2e-h9tr-c4nb-5vzs"
   */
  password: string;

  /** @example "2026-12-06T17:30:00.000Z" */
  @ApiProperty({ format: 'date-time' })
  created_at: string;
}
