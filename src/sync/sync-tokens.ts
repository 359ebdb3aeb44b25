import { randomBytes, createSecretKey, type KeyObject } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ServerKeysRepository } from './server-keys.repository.js';
import { decodeSyncToken, encodeSyncToken, type SyncPosition } from './sync-token.js';

/** The name of the sync-token key in `server_keys`. */
export const SYNC_TOKEN_KEY = 'sync-token';
const KEY_BYTES = 32;

/** Sync tokens of one user, under the server's key. */
export interface UserSyncTokens {
  encode(position: SyncPosition): string;
  /** The position of `token`, or undefined when it is not a token of this user's made with the key. */
  decode(token: string): SyncPosition | undefined;
}

/**
 * The key sync tokens are authenticated with (see sync-token.ts): one for every instance, kept in the
 * database (`server_keys`, on the primary, never a replica that might not have it yet), made on first
 * use. Read once per process, at start (so no request waits for it) or, when the database did not
 * answer then, by the first request that needs it; a failed read is tried again by the next.
 * Withdrawing it (deleting the row, then restarting every instance) turns every token out: clients
 * start over with a full sync.
 */
@Injectable()
export class SyncTokens implements OnApplicationBootstrap {
  private readonly logger = new Logger(SyncTokens.name);
  private key?: Promise<KeyObject>;

  constructor(private readonly keys: ServerKeysRepository) {}

  onApplicationBootstrap(): void {
    this.loaded().catch((err: Error) =>
      this.logger.warn(
        `The sync-token key could not be read yet (the first sync will try again): ${err.message}`,
      ),
    );
  }

  /** `user`'s tokens. */
  async of(user: string): Promise<UserSyncTokens> {
    const key = await this.loaded();
    return {
      encode: (position) => encodeSyncToken(key, user, position),
      decode: (token) => decodeSyncToken(key, user, token),
    };
  }

  private loaded(): Promise<KeyObject> {
    this.key ??= this.keys.ensure(SYNC_TOKEN_KEY, randomBytes(KEY_BYTES)).then(
      (key) => createSecretKey(key),
      (err) => {
        this.key = undefined;
        throw err;
      },
    );
    return this.key;
  }
}
