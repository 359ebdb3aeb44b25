import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, ValidateBy } from 'class-validator';
import { canonicalZone, isTimeZone, normalizeRule, RuleError } from '../../recurrence/recurrence.js';
import { RECURRENCE_FROM, type RecurrenceFrom } from '../task.schema.js';
import { Defined } from './validators.js';

/** The engine's reason why `value` is not a rule the contract accepts, or null when it is one. */
export function ruleProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be RRULE text';
  try {
    normalizeRule(value);
    return null;
  } catch (err) {
    if (err instanceof RuleError) return err.reason;
    throw err;
  }
}

/** RRULE text the engine accepts (normalizeRule); the message is the engine's reason. */
const IsRule = () =>
  ValidateBy({
    name: 'isRule',
    validator: {
      validate: (value) => ruleProblem(value) === null,
      defaultMessage: (args) => ruleProblem(args?.value) ?? 'is not a supported rule',
    },
  });

/** An IANA time zone name this runtime knows. */
export const IsTimeZone = () =>
  ValidateBy({
    name: 'isTimeZone',
    validator: {
      validate: (value) => typeof value === 'string' && value.length <= 64 && isTimeZone(value),
      defaultMessage: () => '$property must be an IANA time zone name such as Europe/Berlin, or null (UTC)',
    },
  });

/**
 * class-transformer: a zone name the runtime knows, in its spelling (`europe/berlin` → `Europe/Berlin`);
 * anything else unchanged, for IsTimeZone to refuse.
 */
export const canonicalTimeZone = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.length <= 64 && isTimeZone(value) ? canonicalZone(value) : value;

/** How a recurring task repeats, as clients write it. */
export class RecurrenceInputDto {
  /**
   * RFC 5545 RRULE text (an `RRULE:` prefix is accepted): `FREQ` `DAILY`, `WEEKLY`, `MONTHLY` or
   * `YEARLY`; `INTERVAL` 1–1000; `BYDAY` (ordinals such as `1MO`, `-1FR` for monthly and yearly
   * rules); `BYMONTHDAY` (±1–31); `BYMONTH`; `BYSETPOS`; `COUNT` 1–1000 or `UNTIL` (not both);
   * `WKST`; at most 500 characters. Anything else, or a rule with no occurrence after now, is `400`
   * naming `recurrence.rule` with the reason. Stored normalised (no prefix).
   * @example "FREQ=WEEKLY;BYDAY=MO"
   */
  @IsString()
  @IsRule()
  rule: string;

  /**
   * `due` (default): the next occurrence follows the series (missed ones are skipped); `completion`:
   * it counts from the local day the task was completed ("every 3 days after I last did it").
   * @example "due"
   */
  @ApiPropertyOptional({ enum: RECURRENCE_FROM, default: 'due' })
  @Defined()
  @IsIn(RECURRENCE_FROM)
  from?: RecurrenceFrom;
}

/** How a recurring task repeats, as every route returns it. */
export class Recurrence {
  /**
   * The rule, normalised RRULE text (no `RRULE:` prefix).
   * @example "FREQ=WEEKLY;BYDAY=MO"
   */
  rule: string;

  /**
   * What the next occurrence counts from: the series (`due`) or the day of the completion (`completion`).
   * @example "due"
   */
  @ApiProperty({ enum: RECURRENCE_FROM })
  from: RecurrenceFrom;
}
