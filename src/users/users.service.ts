import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { UsersRepository } from './users.repository.js';

/** How many users' claims one process remembers (the oldest are forgotten first). */
export const USERS_CACHE_SIZE = 10_000;

/** A stored email or name is cut to its column's length (a longer claim is kept, shortened). */
const EMAIL_MAX = 320;
const NAME_MAX = 255;

/**
 * The users directory, learnt from token claims: the first request of a user (in this process)
 * records their `email` and `name`, and a later one writes again only when those changed. The
 * claims last recorded are kept in memory, so an unchanged user costs no statement at all.
 */
@Injectable()
export class UsersService {
  private readonly known = new Map<string, { email: string | null; name: string | null }>();

  constructor(private readonly repo: UsersRepository) {}

  /**
   * Records `user`'s claims: nothing (undefined, at once) when they are the ones this process last
   * recorded, else the write's promise.
   */
  seen(user: AuthUser): Promise<void> | undefined {
    const email = user.email?.slice(0, EMAIL_MAX) ?? null;
    const name = user.name?.slice(0, NAME_MAX) ?? null;
    const known = this.known.get(user.sub);
    if (known && known.email === email && known.name === name) return undefined;
    return this.repo.upsert(user.sub, email, name).then(() => {
      this.known.delete(user.sub);
      this.known.set(user.sub, { email, name });
      if (this.known.size > USERS_CACHE_SIZE) this.known.delete(this.known.keys().next().value!);
    });
  }
}
