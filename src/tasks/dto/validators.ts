import { Transform } from 'class-transformer';
import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { isUuid } from '../../common/uuid.js';

/** Like @IsOptional, but only for an absent field: `null` is still validated (and so rejected). */
export const Defined = () => ValidateIf((_object, value) => value !== undefined);

/** Trims a string before it is validated. */
export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** PostgreSQL cannot store U+0000 in text; reject it as input rather than fail later. */
export const NoNulCharacters = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'noNulCharacters',
      validator: {
        validate: (value) => typeof value !== 'string' || !value.includes('\u0000'),
        defaultMessage: () => '$property must not contain NUL (\\u0000) characters',
      },
    },
    options,
  );

// ISO 8601 date-time with an explicit offset (Z or ±hh:mm / ±hhmm / ±hh).
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

export function parseDateTime(value: string): Date | null {
  const m = DATE_TIME.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '00'] = m;
  const probe = new Date(Date.UTC(+y, +mo - 1, +d, +h, +mi, +s));
  // Reject calendar overflow such as 2026-02-30 or 25:00.
  if (probe.getUTCFullYear() !== +y || probe.getUTCMonth() !== +mo - 1 || probe.getUTCDate() !== +d)
    return null;
  if (probe.getUTCHours() !== +h || probe.getUTCMinutes() !== +mi || probe.getUTCSeconds() !== +s)
    return null;
  const normalised = value
    .replace(',', '.')
    .replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
    .replace(/([+-]\d{2})$/, '$1:00');
  const date = new Date(normalised);
  return Number.isNaN(date.getTime()) ? null : date;
}

export const IsDateTimeWithOffset = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isDateTimeWithOffset',
      validator: {
        validate: (value) => typeof value === 'string' && parseDateTime(value) !== null,
        defaultMessage: () =>
          '$property must be an ISO 8601 date-time with an offset, such as 2026-12-01T17:00:00Z or 2026-12-01T18:00:00+01:00',
      },
    },
    options,
  );

/** Accepts only a plain decimal integer string for a numeric query parameter; anything else is left to fail validation. */
export const QueryInt = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value,
  );

/** A task id in a body or query: any UUID layout (like ids in paths), lower-cased. */
export const IsTaskId = (options?: ValidationOptions) =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (isUuid(value) ? value.toLowerCase() : value)),
    ValidateBy(
      {
        name: 'isTaskId',
        validator: {
          validate: (value) => isUuid(value),
          defaultMessage: () => '$property must be a task id (a UUID)',
        },
      },
      options,
    ),
  );

/**
 * An optional, nullable task id in a body (`parent_id`, `after`). Its example is `null` (the default
 * place), so Swagger's "Try it out" sends no made-up id (a made-up id is 400).
 */
export const OptionalTaskId = () =>
  applyDecorators(
    ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, example: null }),
    IsOptional(),
    IsTaskId(),
  );

/** A list id in a body or query: any UUID layout, lower-cased. */
export const IsListId = (options?: ValidationOptions) =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => (isUuid(value) ? value.toLowerCase() : value)),
    ValidateBy(
      {
        name: 'isListId',
        validator: {
          validate: (value) => isUuid(value),
          defaultMessage: () => '$property must be a list id (a UUID)',
        },
      },
      options,
    ),
  );
