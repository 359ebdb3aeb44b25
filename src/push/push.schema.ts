/** The facts about Web Push that SQL, DTOs, the service and tests agree on (the migration Channels makes the table). */

export const PUSH_LIMITS = {
  /** Push subscriptions (browsers) one user may have. */
  perUser: 20,
  /** An endpoint's length (its column's). */
  endpointLength: 2048,
} as const;

/** How long a push service keeps a message for a device that is offline (`TTL`, seconds): a reminder older than a day is news no more. */
export const PUSH_TTL_S = 24 * 60 * 60;

/** A reminder is wanted now: push services deliver `high` even to a device saving battery. */
export const PUSH_URGENCY = 'high';

/** The push service's answers that mean the subscription is gone (it is deleted). */
export const PUSH_GONE_STATUSES = [404, 410] as const;

/**
 * The largest plaintext one aes128gcm record carries in the 4096 bytes push services accept
 * (RFC 8291: 86 bytes of header, a 16-byte tag, a 1-byte delimiter).
 */
export const PUSH_PAYLOAD_MAX = 4096 - 86 - 16 - 1;

/** A P-256 public key (65 bytes, uncompressed) and an auth secret (16 bytes), base64url as browsers send them (padding allowed). */
export const P256DH = /^B[A-Za-z0-9_-]{86}=?$/;
export const AUTH_SECRET = /^[A-Za-z0-9_-]{22}(==)?$/;
