import { ApiProperty, PickType } from '@nestjs/swagger';
import { ChangesQueryDto } from '../sync/dto/changes.dto.js';

/** Query of `GET /api/tasks/events`. */
export class EventsQueryDto extends PickType(ChangesQueryDto, ['since']) {}

/** `data` of an `event: task.deleted`. */
export class TaskDeletedEventDto {
  /** @example "3f8e2c1a-5b7d-4e9f-a1c2-0d3b4e5f6a7b" */
  @ApiProperty({ format: 'uuid' })
  id: string;
}

/** `data` of an `event: resync`: the token is too old; sync in full, then stream from its token. */
export class ResyncEventDto {
  /** @example "This sync token is older than the 30 days deletions are kept; start over with a full sync (no since)" */
  detail: string;
}
