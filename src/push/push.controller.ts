import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
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
import { CreatePushSubscriptionDto } from './dto/create-push-subscription.dto.js';
import { PushSubscriptionDto, VapidPublicKeyDto } from './dto/push-subscription.dto.js';
import { PushProblemsFilter } from './push-problems.js';
import {
  PushNotConfiguredError,
  PushSubscriptionLimitReachedError,
  PushSubscriptionNotFoundError,
} from './push.errors.js';
import { PUSH_LIMITS } from './push.schema.js';
import { PushService } from './push.service.js';

const SUBSCRIPTION_ID = ApiParam({
  name: 'id',
  description: "The push subscription's id (a UUID; anything else is 400)",
});
const NOT_CONFIGURED: ProblemDoc = {
  status: 503,
  description:
    'Web Push is not configured on this server (no VAPID keys), or the database is unavailable (see `Retry-After`)',
  detail: PushNotConfiguredError.detail,
};
const SUBSCRIBE_INVALID: ProblemDoc = {
  status: 400,
  description:
    'Invalid input (`errors[]` names each field): `endpoint` not an absolute `https:` URL of at most 2048 characters (or a literal address that is not public), `keys.p256dh` not a base64url P-256 public key, `keys.auth` not 16 base64url bytes, unknown fields',
  detail: 'Validation failed: endpoint',
};
const LIMIT_REACHED = limitReachedDoc(
  PushSubscriptionLimitReachedError,
  PUSH_LIMITS.perUser,
  `you have ${PUSH_LIMITS.perUser} push subscriptions already and nothing was stored`,
);
const NOT_FOUND = notFoundDoc(PushSubscriptionNotFoundError, 'No such push subscription of yours');

/**
 * Web Push (RFC 8030/8291/8292; contract: "Reminders and notifications"; docs/reminders.md): the
 * server's VAPID key, and your browsers' subscriptions. Each fired reminder is pushed to every
 * subscription of yours, encrypted (aes128gcm), with `Urgency: high` and a `Topic` per occurrence.
 */
@ApiTags('push')
@ApiBearerAuth()
@UseFilters(PushProblemsFilter)
@Controller('api')
export class PushController {
  constructor(private readonly push: PushService) {}

  /**
   * The VAPID public key
   * @remarks The `applicationServerKey` for `pushManager.subscribe()`. `503` when the server has no
   * VAPID keys (Web Push is off).
   */
  @Get('push/vapid-public-key')
  @ApiResponse({ status: 200, type: VapidPublicKeyDto, description: 'The key' })
  @ApiProblems(401, 429, NOT_CONFIGURED)
  publicKey(): VapidPublicKeyDto {
    return this.push.publicKey();
  }

  /**
   * Subscribe a browser
   * @remarks The `PushSubscription` as `subscription.toJSON()` gives it. The same endpoint sent
   * again keeps its id (its keys are replaced); an endpoint another user registered becomes yours
   * (one browser, the user signed in there). At most 20 per user.
   */
  @Post('push-subscriptions')
  @HttpCode(201)
  @ApiResponse({ status: 201, type: PushSubscriptionDto, description: 'Stored' })
  @ApiProblems(SUBSCRIBE_INVALID, 401, LIMIT_REACHED, 413, 415, 429, NOT_CONFIGURED)
  subscribe(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreatePushSubscriptionDto,
  ): Promise<PushSubscriptionDto> {
    return this.push.subscribe(user.sub, dto);
  }

  /**
   * Unsubscribe a browser
   * @remarks Nothing more is pushed to it (call it when the user signs out there).
   */
  @Delete('push-subscriptions/:id')
  @HttpCode(204)
  @SUBSCRIPTION_ID
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiProblems(400, 401, NOT_FOUND, 429, 503)
  async unsubscribe(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<void> {
    await this.push.unsubscribe(user.sub, id);
  }
}
