import { PartialType } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { CreateWebhookDto } from './create-webhook.dto.js';

/** `PATCH /api/webhooks/{id}`: any of `url`, `events` (the rules of a new webhook) and `enabled`. */
export class UpdateWebhookDto extends PartialType(CreateWebhookDto) {
  /**
   * `true` turns deliveries back on (for one whose receiver answered `410`, once it is back):
   * events from now on are delivered; those that failed while it was disabled are not sent again.
   * `false` pauses it: nothing is delivered, and what was waiting fails.
   * @example true
   */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
