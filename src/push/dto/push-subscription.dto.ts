/** A stored push subscription. */
export class PushSubscriptionDto {
  /**
   * Its id: what `DELETE /api/push-subscriptions/{id}` takes. The same endpoint sent again gets the same id.
   * @example "2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a"
   */
  id: string;
}

/** The server's VAPID public key, for `pushManager.subscribe({ applicationServerKey })`. */
export class VapidPublicKeyDto {
  /**
   * The VAPID public key (RFC 8292), base64url: a 65-byte uncompressed P-256 point.
   * @example "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U"
   */
  public_key: string;
}
