import { HttpException } from '@nestjs/common';
import type { FieldErrorDto } from './problem.dto.js';

/**
 * An HTTP error with everything the problem+json body and its headers need.
 * Throw it (or any Nest HttpException) from anywhere; the ProblemFilter renders it.
 */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly detail: string,
    readonly extras: { errors?: FieldErrorDto[]; headers?: Record<string, string>; title?: string } = {},
  ) {
    super(detail, status);
  }
}

export class ValidationProblem extends ProblemException {
  constructor(errors: FieldErrorDto[]) {
    const fields = [...new Set(errors.map((e) => e.field))];
    super(400, `Validation failed: ${fields.join(', ')}`, { errors });
  }
}
