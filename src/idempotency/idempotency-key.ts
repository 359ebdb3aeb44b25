import { ProblemException } from '../errors/problem.exception.js';

const KEY_FORMAT = /^[\x20-\x7E]{1,255}$/;

/** The `Idempotency-Key` header's value; 400 unless it is 1–255 printable ASCII characters. */
export function idempotencyKeyHeader(value: string | undefined): string | undefined {
  if (value === undefined || KEY_FORMAT.test(value)) return value;
  throw new ProblemException(400, 'Idempotency-Key must be 1–255 printable ASCII characters', {
    errors: [{ field: 'Idempotency-Key', message: 'must be 1–255 printable ASCII characters' }],
  });
}
