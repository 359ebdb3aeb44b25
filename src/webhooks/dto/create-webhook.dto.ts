import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  MaxLength,
  ValidateBy,
} from 'class-validator';
import { WEBHOOK_EVENTS, WEBHOOK_LIMITS, type WebhookEvent } from '../webhook.schema.js';

/** An absolute http(s) URL without user name or password (whether `http:` may be used is the service's rule). */
const IsReceiverUrl = () =>
  ValidateBy({
    name: 'isReceiverUrl',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string' || !URL.canParse(value)) return false;
        const url = new URL(value);
        return ['https:', 'http:'].includes(url.protocol) && !url.username && !url.password;
      },
      defaultMessage: () => 'must be an absolute https: URL without a user name or password',
    },
  });

/** `POST /api/webhooks`: where to deliver, and which events. */
export class CreateWebhookDto {
  /**
   * The receiver: an `https:` URL (at most 2048 characters) whose host resolves to public addresses
   * only, checked each time a delivery connects; redirects are not followed. (`http:` and private
   * addresses only with `NOTIFY_ALLOW_PRIVATE=true`, for development.)
   * @example "https://example.com/hooks/tasks"
   */
  @IsString()
  @MaxLength(WEBHOOK_LIMITS.urlLength)
  @IsReceiverUrl()
  url: string;

  /**
   * The events to deliver, at least one, each once: `reminder.fired` (your reminders), and
   * `task.created`, `task.updated`, `task.completed`, `task.deleted` for every task you can see
   * (your lists and the lists shared with you).
   * @example ["reminder.fired"]
   */
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events: WebhookEvent[];
}
