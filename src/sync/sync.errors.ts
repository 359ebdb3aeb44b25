/** A `since` this server did not issue to this user (malformed, edited, another user's). */
export class InvalidSyncTokenError extends Error {
  static readonly detail = 'is not a sync token of yours; start over without it (a full sync)';
  constructor() {
    super(InvalidSyncTokenError.detail);
  }
}

/** A token older than the oldest kept tombstone: deletions since it may be gone. */
export class SyncTokenExpiredError extends Error {
  static readonly title = 'Sync token expired';
  static readonly detail = (days: number) =>
    `This sync token is older than the ${days} days deletions are kept; start over with a full sync (no since)`;
  constructor(readonly days: number) {
    super(SyncTokenExpiredError.detail(days));
  }
}
