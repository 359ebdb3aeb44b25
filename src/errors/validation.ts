import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldErrorDto } from './problem.dto.js';
import { ValidationProblem } from './problem.exception.js';

/** What a field the body may not carry is told. */
export const UNKNOWN_FIELD = 'is not a known field';

/** Flattens class-validator's error tree into `{ field, message }`, one per failed rule. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldErrorDto[] {
  return errors.flatMap((e) => {
    if (e.property === undefined || e.property === '') {
      return [{ field: parent || '(body)', message: 'must be a JSON object' }];
    }
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, text]) => ({
      field,
      message:
        rule === 'whitelistValidation'
          ? UNKNOWN_FIELD
          : text.startsWith(`${e.property} `)
            ? text.slice(e.property.length + 1)
            : text,
    }));
    return [...own, ...toFieldErrors(e.children ?? [], field)];
  });
}

/**
 * The one validation pipe (registered as APP_PIPE): unknown fields are errors, nothing is
 * coerced implicitly, every bad field is reported.
 */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  validationError: { target: false, value: false },
  stopAtFirstError: true,
  exceptionFactory: (errors) => new ValidationProblem(toFieldErrors(errors)),
});
