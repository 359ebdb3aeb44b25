import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import {
  ApiProblems,
  limitReachedDoc,
  notFoundDoc,
  type ProblemDoc,
} from '../docs/api-problems.decorator.js';
import { ParseIdPipe } from '../tasks/parse-id.pipe.js';
import { CreateWebhookDto } from './dto/create-webhook.dto.js';
import { UpdateWebhookDto } from './dto/update-webhook.dto.js';
import { CreatedWebhookDto, WebhookDeliveryDto, WebhookDto } from './dto/webhook.dto.js';
import { WebhookProblemsFilter } from './webhook-problems.js';
import { WebhookLimitReachedError, WebhookNotFoundError } from './webhook.errors.js';
import { WEBHOOK_LIMITS } from './webhook.schema.js';
import { WebhooksService } from './webhooks.service.js';

// No example on the id: Swagger's "Try it out" would send it, and a made-up id is 404.
const WEBHOOK_ID = ApiParam({ name: 'id', description: "The webhook's id (a UUID; anything else is 400)" });

const CREATE_INVALID: ProblemDoc = {
  status: 400,
  description:
    'Invalid input (`errors[]` names each field): `url` not an absolute `https:` URL of at most 2048 characters (or with a user name, or a literal address that is not public), `events` empty, repeated or unknown, unknown fields',
  detail: 'Validation failed: url',
};
const UPDATE_INVALID: ProblemDoc = {
  ...CREATE_INVALID,
  description:
    'Invalid input (`errors[]` names each field): `url` or `events` as for a new webhook, `enabled` not a boolean, unknown fields',
};
const LIMIT_REACHED = limitReachedDoc(
  WebhookLimitReachedError,
  WEBHOOK_LIMITS.perUser,
  `you have ${WEBHOOK_LIMITS.perUser} webhooks already and nothing was created`,
);
const NOT_FOUND = notFoundDoc(WebhookNotFoundError, 'No such webhook of yours (unknown, or someone else’s)');

/**
 * Your webhooks (Standard Webhooks; contract: "Reminders and notifications"; docs/reminders.md).
 * Each delivery is a signed POST, retried with backoff for 24 h; another user's webhook is 404 on
 * every route.
 */
@ApiTags('webhooks')
@ApiBearerAuth()
@UseFilters(WebhookProblemsFilter)
@Controller('api/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /**
   * Make a webhook
   * @remarks Deliveries of the chosen `events` go to `url` as POSTs with `webhook-id` (the same on
   * every retry), `webhook-timestamp` and `webhook-signature`, signed with the `secret` in this
   * answer, which is shown only here. At most 10 per user (`403` beyond).
   */
  @Post()
  @HttpCode(201)
  @ApiResponse({ status: 201, type: CreatedWebhookDto, description: 'Created; `secret` is shown only now' })
  @ApiProblems(CREATE_INVALID, 401, LIMIT_REACHED, 413, 415, 429, 503)
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateWebhookDto): Promise<CreatedWebhookDto> {
    return this.webhooks.create(user.sub, dto);
  }

  /**
   * Your webhooks
   * @remarks Oldest first, without their secrets; `enabled` is `false` for one whose receiver answered `410`.
   */
  @Get()
  @ApiResponse({ status: 200, type: [WebhookDto], description: 'Your webhooks' })
  @ApiProblems(401, 429, 503)
  list(@CurrentUser() user: AuthUser): Promise<WebhookDto[]> {
    return this.webhooks.list(user.sub);
  }

  /**
   * Change a webhook
   * @remarks Any of `url`, `events` and `enabled`; the secret stays. `enabled: true` turns a webhook
   * back on, also one whose receiver answered `410` (events from now on are delivered; what failed
   * meanwhile is not sent again); `enabled: false` pauses it, and what waited to be sent fails.
   */
  @Patch(':id')
  @WEBHOOK_ID
  @ApiResponse({ status: 200, type: WebhookDto, description: 'The webhook as it is now' })
  @ApiProblems(UPDATE_INVALID, 401, NOT_FOUND, 413, 415, 429, 503)
  update(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateWebhookDto,
  ): Promise<WebhookDto> {
    return this.webhooks.update(user.sub, id, dto);
  }

  /**
   * Delete a webhook
   * @remarks Nothing more is delivered to it, and its delivery log goes with it.
   */
  @Delete(':id')
  @HttpCode(204)
  @WEBHOOK_ID
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(400, 401, NOT_FOUND, 429, 503)
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<void> {
    await this.webhooks.remove(user.sub, id);
  }

  /**
   * A webhook's deliveries
   * @remarks Its last 100 deliveries, newest first: the `webhook_id` each was sent with, the event,
   * `pending`/`delivered`/`failed`, attempts, the last HTTP status and error. Kept 7 days.
   */
  @Get(':id/deliveries')
  @WEBHOOK_ID
  @ApiResponse({
    status: 200,
    type: [WebhookDeliveryDto],
    description: 'The last 100 deliveries, newest first',
  })
  @ApiProblems(400, 401, NOT_FOUND, 429, 503)
  deliveries(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<WebhookDeliveryDto[]> {
    return this.webhooks.deliveries(user.sub, id);
  }
}
