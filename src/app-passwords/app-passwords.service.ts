import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { AuthUser } from '../auth/auth-user.js';
import {
  hashAppPassword,
  lookupOf,
  newAppPassword,
  normaliseAppPassword,
  verifyAppPassword,
} from './app-password.js';
import { AppPasswordLimitReachedError, AppPasswordNotFoundError } from './app-password.errors.js';
import { APP_PASSWORD_LIMITS, LAST_USED_PRECISION_S } from './app-password.schema.js';
import { AppPasswordsRepository, type AppPasswordRow } from './app-passwords.repository.js';

/** A new app password, with the password itself (shown this once). */
export type CreatedAppPassword = Omit<AppPasswordRow, 'last_used_at'> & { password: string };

/** Sign-ins one process remembers (login and password → which app password), the oldest forgotten first. */
const SIGN_INS_CACHED = 10_000;
/** How long a remembered sign-in spares the hash (the password's existence is still read every request). */
const SIGN_IN_TTL_MS = 60 * 60 * 1000;

/** A login with the longest email the users directory holds, or a user id. */
export const MAX_LOGIN_LENGTH = 320;

/**
 * App passwords (contract "Native clients (CalDAV)"): made by a signed-in user, shown once, stored as
 * a slow hash, deleted at will; and the sign-in of HTTP Basic with one of them. A sign-in checks the
 * hash once per process and login (then it is remembered, keyed by a SHA-256 of login and password),
 * but reads the password's row on the primary on every request: a deleted password is refused at the
 * next request, on every instance.
 */
@Injectable()
export class AppPasswordsService {
  private readonly signIns = new LRUCache<string, string>({ max: SIGN_INS_CACHED, ttl: SIGN_IN_TTL_MS });

  constructor(private readonly repo: AppPasswordsRepository) {}

  async create(userId: string, name: string): Promise<CreatedAppPassword> {
    const password = newAppPassword();
    const plain = normaliseAppPassword(password)!;
    const row = await this.repo.create(
      userId,
      name,
      lookupOf(plain),
      await hashAppPassword(plain),
      APP_PASSWORD_LIMITS.perUser,
    );
    if (!row) throw new AppPasswordLimitReachedError(APP_PASSWORD_LIMITS.perUser);
    return { id: row.id, name: row.name, password, created_at: row.created_at };
  }

  all(userId: string): Promise<AppPasswordRow[]> {
    return this.repo.all(userId);
  }

  async remove(userId: string, id: string): Promise<void> {
    if (!(await this.repo.delete(userId, id))) throw new AppPasswordNotFoundError();
  }

  /**
   * The user `login` (their id, or their email) and `typed` (an app password of theirs) sign in, or
   * null. The password's `last_used_at` moves (at most once a minute).
   */
  async signIn(login: string, typed: string): Promise<AuthUser | null> {
    const plain = normaliseAppPassword(typed);
    if (!plain || login.length === 0 || login.length > MAX_LOGIN_LENGTH) return null;
    const key = createHash('sha256')
      .update(JSON.stringify([login.toLowerCase(), plain]))
      .digest('base64url');
    let id = this.signIns.get(key);
    if (id === undefined) {
      id = await this.verified(login, plain);
      if (id === undefined) return null;
    }
    const holder = await this.repo.holder(id);
    if (!holder) {
      this.signIns.delete(key);
      return null;
    }
    this.signIns.set(key, id);
    const stale =
      holder.last_used_at === null ||
      Date.parse(holder.last_used_at) < Date.now() - LAST_USED_PRECISION_S * 1000;
    if (stale) await this.repo.used(holder.user_id, id);
    // `exp`: only live streams read it, and no CalDAV route has one.
    return { sub: holder.user_id, email: holder.email, name: holder.name, exp: 0 };
  }

  /** The id of the stored password `plain` is, among those `login` may mean, after checking their hashes. */
  private async verified(login: string, plain: string): Promise<string | undefined> {
    for (const candidate of await this.repo.candidates(login, lookupOf(plain)))
      if (await verifyAppPassword(plain, candidate.hash)) return candidate.id;
    return undefined;
  }
}
