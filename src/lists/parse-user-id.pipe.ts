import { Injectable, PipeTransform } from '@nestjs/common';
import { ValidationProblem } from '../errors/problem.exception.js';
import { USER_LIMITS } from './list.schema.js';

/**
 * A user id in the path (a token's `sub`: any string) must be 1–255 characters without a NUL
 * (PostgreSQL cannot hold one): anything else is 400, never a database error.
 */
@Injectable()
export class ParseUserIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (value.length < 1 || value.length > USER_LIMITS.id || value.includes('\0'))
      throw new ValidationProblem([
        { field: 'user_id', message: `must be 1–${USER_LIMITS.id} characters, without NUL` },
      ]);
    return value;
  }
}
