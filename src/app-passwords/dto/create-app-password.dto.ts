import { IsString, Length } from 'class-validator';
import { NoNulCharacters, Trim } from '../../tasks/dto/validators.js';
import { APP_PASSWORD_LIMITS } from '../app-password.schema.js';

/** `POST /api/app-passwords`: a new app password for one client. Any other field is rejected. */
export class CreateAppPasswordDto {
  /**
   * What it is for, so you know which to delete later: trimmed first, then 1–100 characters.
   * @example "iPhone Reminders"
   */
  @Trim()
  @IsString()
  @NoNulCharacters()
  @Length(1, APP_PASSWORD_LIMITS.name)
  name: string;
}
