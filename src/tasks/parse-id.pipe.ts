import { Injectable, PipeTransform } from '@nestjs/common';
import { ValidationProblem } from '../errors/problem.exception.js';

// Any UUID layout (the md5-derived ids of imported data are not version 4).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A task id in the path must be a UUID: anything else is 400, never a database error. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!UUID.test(value)) throw new ValidationProblem([{ field: 'id', message: 'must be a UUID' }]);
    return value.toLowerCase();
  }
}
