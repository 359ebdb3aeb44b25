import { Injectable, PipeTransform } from '@nestjs/common';
import { isUuid } from '../common/uuid.js';
import { ValidationProblem } from '../errors/problem.exception.js';

/** A task id in the path must be a UUID: anything else is 400, never a database error. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUuid(value)) throw new ValidationProblem([{ field: 'id', message: 'must be a UUID' }]);
    return value.toLowerCase();
  }
}
