import { Injectable, PipeTransform } from '@nestjs/common';
import { isUuid } from '../common/uuid.js';
import { ValidationProblem } from '../errors/problem.exception.js';

/** A reminder id in the path must be a UUID: anything else is 400 naming `reminder_id`, never a database error. */
@Injectable()
export class ParseReminderIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUuid(value)) throw new ValidationProblem([{ field: 'reminder_id', message: 'must be a UUID' }]);
    return value.toLowerCase();
  }
}
