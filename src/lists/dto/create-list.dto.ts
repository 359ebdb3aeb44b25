import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { NoNulCharacters, Trim } from '../../tasks/dto/validators.js';
import { LIST_LIMITS } from '../list.schema.js';

/** `POST /api/lists`: a new list, of which you are the owner. Any other field is rejected. */
export class CreateListDto {
  /**
   * Trimmed first, then 1–100 characters.
   * @example "Groceries"
   */
  @Trim()
  @IsString()
  @NoNulCharacters()
  @Length(1, LIST_LIMITS.name)
  name: string;

  /** `#rrggbb` (stored lower-cased); `null` or absent for none. */
  @ApiPropertyOptional({ type: String, nullable: true, example: '#3b82f6' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsString()
  @Matches(LIST_LIMITS.color, { message: '$property must be a colour as #rrggbb' })
  color?: string | null;
}

/** `PATCH /api/lists/{id}` (owner): only the fields given change; `null` clears `color`, and is rejected for `name`. */
export class UpdateListDto extends PartialType(CreateListDto, { skipNullProperties: false }) {}
