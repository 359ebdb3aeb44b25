import { Injectable } from '@nestjs/common';
import { streamKey } from '../sync/sync-token.js';
import { SyncTokens } from '../sync/sync-tokens.js';

/** RFC 6578 wants a URI: the sync token behind this prefix. */
export const SYNC_TOKEN_PREFIX = 'urn:x-tasks-api:sync:';

/** A collection's sync token that is not one (another user's, another collection's, edited) or expired: 403 valid-sync-token. */
export class InvalidCollectionTokenError extends Error {}

/** Where a collection's sync token stands in the list owner's change sequence. */
export interface CollectionPosition {
  seq: number;
  floor: number;
}

/**
 * Sync tokens of one calendar collection (a list): a position in the change sequence of the list's
 * owner, written and authenticated as the API's own sync tokens are (src/sync/sync-token.ts, under
 * the server's key), bound to the user and the list: a token is good for the collection and the
 * user it was given to only, and a transfer of the list (another owner, another sequence) turns
 * it out (the client starts over).
 */
@Injectable()
export class CollectionTokens {
  constructor(private readonly tokens: SyncTokens) {}

  private of(userId: string, list: string) {
    return this.tokens.of(JSON.stringify(['caldav', userId, list]));
  }

  async encode(userId: string, list: string, owner: string, seq: number): Promise<string> {
    const tokens = await this.of(userId, list);
    return (
      SYNC_TOKEN_PREFIX +
      tokens.encode({ lists: 0, streams: new Map([[streamKey(owner), { seq, floor: seq }]]) })
    );
  }

  /** The position `token` holds for list `list` owned by `owner`, or InvalidCollectionTokenError. */
  async decode(userId: string, list: string, owner: string, token: string): Promise<CollectionPosition> {
    if (!token.startsWith(SYNC_TOKEN_PREFIX)) throw new InvalidCollectionTokenError();
    const position = (await this.of(userId, list)).decode(token.slice(SYNC_TOKEN_PREFIX.length));
    if (!position) throw new InvalidCollectionTokenError();
    // A position 0 (an empty list's) is written without its stream.
    if (position.streams.size === 0) return { seq: 0, floor: 0 };
    const stream = position.streams.get(streamKey(owner));
    if (position.streams.size !== 1 || !stream) throw new InvalidCollectionTokenError();
    return stream;
  }
}
