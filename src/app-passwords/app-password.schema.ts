/** The facts about app passwords that the DTOs, the service and the docs agree on. */
export const APP_PASSWORD_LIMITS = {
  /** Characters of a name (trimmed), as the column holds. */
  name: 100,
  /** App passwords one user may have at once. */
  perUser: 20,
} as const;

/** `last_used_at` moves at most this often (a sync makes many requests; each would be a write). */
export const LAST_USED_PRECISION_S = 60;
