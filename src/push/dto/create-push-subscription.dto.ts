import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsNumber,
  IsObject,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
  ValidateBy,
} from 'class-validator';
import { AUTH_SECRET, P256DH, PUSH_LIMITS } from '../push.schema.js';

/** An absolute http(s) URL (whether `http:` may be used is the service's rule). */
const IsEndpointUrl = () =>
  ValidateBy({
    name: 'isEndpointUrl',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        URL.canParse(value) &&
        ['https:', 'http:'].includes(new URL(value).protocol),
      defaultMessage: () => 'must be an absolute https: URL',
    },
  });

/** The subscription's keys (RFC 8291), as `PushSubscription.toJSON()` gives them. */
export class PushSubscriptionKeysDto {
  /**
   * The browser's P-256 public key (65 bytes, uncompressed), base64url.
   * @example "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
   */
  @IsString()
  @Matches(P256DH, { message: 'must be a base64url P-256 public key (65 bytes)' })
  p256dh: string;

  /**
   * The browser's authentication secret (16 bytes), base64url.
   * @example "tBHItJI5svbpez7KI4CCXg"
   */
  @IsString()
  @Matches(AUTH_SECRET, { message: 'must be a base64url secret of 16 bytes' })
  auth: string;
}

/** `POST /api/push-subscriptions`: the browser's `PushSubscription` as `toJSON()` gives it. */
export class CreatePushSubscriptionDto {
  /**
   * The push service's URL for this browser (`https:`; at most 2048 characters). Only the push
   * service should know it: keep it private.
   * @example "https://fcm.googleapis.com/fcm/send/dpH5lCsTSSM:APA91bH..."
   */
  @IsString()
  @MaxLength(PUSH_LIMITS.endpointLength)
  @IsEndpointUrl()
  endpoint: string;

  /**
   * When the browser will drop the subscription (milliseconds since the epoch), or `null`. Accepted
   * and not used: a push service answers `404`/`410` for a subscription that ended, which deletes it.
   * @example null
   */
  @ApiPropertyOptional({ type: Number, nullable: true })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsNumber()
  expirationTime?: number | null;

  /** The encryption keys. */
  @IsObject()
  @ValidateNested()
  @Type(() => PushSubscriptionKeysDto)
  keys: PushSubscriptionKeysDto;
}
