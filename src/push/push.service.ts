import { Injectable } from '@nestjs/common';
import { AddressRefusedError, checkUrl } from '../delivery/outbound-address.js';
import { OutboundHttp } from '../delivery/outbound-http.js';
import type { CreatePushSubscriptionDto } from './dto/create-push-subscription.dto.js';
import type { PushSubscriptionDto, VapidPublicKeyDto } from './dto/push-subscription.dto.js';
import {
  PushEndpointRefusedError,
  PushNotConfiguredError,
  PushSubscriptionLimitReachedError,
  PushSubscriptionNotFoundError,
} from './push.errors.js';
import { PushRepository } from './push.repository.js';
import { PUSH_LIMITS } from './push.schema.js';
import { Vapid } from './vapid.js';

/**
 * The rules of Web Push subscriptions (contract: "Reminders and notifications"): the server's VAPID
 * key for browsers to subscribe with, at most PUSH_LIMITS.perUser subscriptions per user, an
 * endpoint the address rule can ever allow. Without VAPID keys push is off (503).
 */
@Injectable()
export class PushService {
  constructor(
    private readonly repo: PushRepository,
    private readonly vapid: Vapid,
    private readonly http: OutboundHttp,
  ) {}

  publicKey(): VapidPublicKeyDto {
    if (!this.vapid.details) throw new PushNotConfiguredError();
    return { public_key: this.vapid.details.publicKey };
  }

  async subscribe(userId: string, dto: CreatePushSubscriptionDto): Promise<PushSubscriptionDto> {
    if (!this.vapid.details) throw new PushNotConfiguredError();
    try {
      checkUrl(new URL(dto.endpoint), this.http.allowPrivate);
    } catch (err) {
      if (err instanceof AddressRefusedError) throw new PushEndpointRefusedError(err.reason);
      throw err;
    }
    const keys = {
      endpoint: dto.endpoint,
      p256dh: dto.keys.p256dh.replace(/=+$/, ''),
      auth: dto.keys.auth.replace(/=+$/, ''),
    };
    const id = await this.repo.upsert(userId, dto.endpoint, keys, PUSH_LIMITS.perUser);
    if (!id) throw new PushSubscriptionLimitReachedError(PUSH_LIMITS.perUser);
    return { id };
  }

  async unsubscribe(userId: string, id: string): Promise<void> {
    if (!(await this.repo.delete(userId, id))) throw new PushSubscriptionNotFoundError();
  }
}
