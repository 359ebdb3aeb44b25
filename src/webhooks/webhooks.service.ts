import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AddressRefusedError, checkUrl } from '../delivery/outbound-address.js';
import { OutboundHttp } from '../delivery/outbound-http.js';
import type { CreateWebhookDto } from './dto/create-webhook.dto.js';
import type { UpdateWebhookDto } from './dto/update-webhook.dto.js';
import type { CreatedWebhookDto, WebhookDeliveryDto, WebhookDto } from './dto/webhook.dto.js';
import { WebhookLimitReachedError, WebhookNotFoundError, WebhookUrlRefusedError } from './webhook.errors.js';
import { SECRET_PREFIX, WEBHOOK_DISABLED_BY_OWNER, WEBHOOK_LIMITS } from './webhook.schema.js';
import { WebhooksRepository } from './webhooks.repository.js';

/**
 * The rules of a user's webhooks (contract: "Reminders and notifications"): at most
 * WEBHOOK_LIMITS.perUser, a URL the address rule can ever allow (its scheme, a literal address; a
 * host name is checked when each delivery connects), a fresh secret shown once. Only the owner sees
 * changes or deletes one (404 for anyone else's).
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly http: OutboundHttp,
  ) {}

  async create(userId: string, dto: CreateWebhookDto): Promise<CreatedWebhookDto> {
    this.checkUrl(dto.url);
    const secret = SECRET_PREFIX + randomBytes(WEBHOOK_LIMITS.secretBytes).toString('base64');
    const made = await this.repo.create(
      userId,
      { url: dto.url, events: dto.events, secret },
      WEBHOOK_LIMITS.perUser,
    );
    if (!made) throw new WebhookLimitReachedError(WEBHOOK_LIMITS.perUser);
    return { ...made, secret };
  }

  /** Changes what `dto` names; the secret stays. */
  async update(userId: string, id: string, dto: UpdateWebhookDto): Promise<WebhookDto> {
    if (dto.url !== undefined) this.checkUrl(dto.url);
    const changed = await this.repo.update(userId, id, dto, WEBHOOK_DISABLED_BY_OWNER);
    if (!changed) throw new WebhookNotFoundError();
    return changed;
  }

  /** A URL the address rule can ever allow: its scheme, a literal address (a host name is checked at each delivery). */
  private checkUrl(url: string): void {
    try {
      checkUrl(new URL(url), this.http.allowPrivate);
    } catch (err) {
      if (err instanceof AddressRefusedError) throw new WebhookUrlRefusedError(err.reason);
      throw err;
    }
  }

  list(userId: string): Promise<WebhookDto[]> {
    return this.repo.list(userId);
  }

  async remove(userId: string, id: string): Promise<void> {
    if (!(await this.repo.delete(userId, id))) throw new WebhookNotFoundError();
  }

  async deliveries(userId: string, id: string): Promise<WebhookDeliveryDto[]> {
    const log = await this.repo.deliveries(userId, id, WEBHOOK_LIMITS.log);
    if (!log) throw new WebhookNotFoundError();
    return log;
  }
}
