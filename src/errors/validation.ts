import {
  ValidationPipe,
  type ArgumentMetadata,
  type ValidationError,
  type ValidationPipeOptions,
} from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
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

/** No value, or an object without any field: what a request without a body or a query string gives. */
const isEmpty = (value: unknown): boolean => {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const _ in value) return false;
  return true;
};

/**
 * Nest's ValidationPipe, remembering one outcome: that a DTO whose fields are all optional passes an
 * empty body or query (`PATCH /api/tasks/{id}/complete` without a body: the hot path). The next empty
 * one gets the same fresh instance without class-validator's walk of the DTO's rules (a quarter of
 * that request's own CPU). Only success is remembered, per class, and validating an empty value
 * depends on nothing else: a DTO with a required field is still told so every time.
 */
export class AppValidationPipe extends ValidationPipe {
  private readonly emptyPasses = new WeakSet<object>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype } = metadata;
    const emptyDto =
      (metadata.type === 'body' || metadata.type === 'query') &&
      metatype !== undefined &&
      this.toValidate(metadata) &&
      isEmpty(value);
    if (emptyDto && this.emptyPasses.has(metatype))
      return plainToInstance(metatype, {}, this.transformOptions);
    const result: unknown = await super.transform(value, metadata);
    if (emptyDto) this.emptyPasses.add(metatype);
    return result;
  }
}

/**
 * The one validation pipe (registered as APP_PIPE): unknown fields are errors, nothing is
 * coerced implicitly, every bad field is reported.
 */
export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  validationError: { target: false, value: false },
  stopAtFirstError: true,
  exceptionFactory: (errors) => new ValidationProblem(toFieldErrors(errors)),
};

export const validationPipe = new AppValidationPipe(VALIDATION_OPTIONS);
