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
  private readonly known = new Map<string, string>();

  constructor(private readonly repo: UsersRepository) {}

  async seen(user: AuthUser): Promise<void> {
    const email = user.email?.slice(0, EMAIL_MAX) ?? null;
    const name = user.name?.slice(0, NAME_MAX) ?? null;
    const claims = JSON.stringify([email, name]);
    if (this.known.get(user.sub) === claims) return;
    await this.repo.upsert(user.sub, email, name);
    this.known.delete(user.sub);
    this.known.set(user.sub, claims);
    if (this.known.size > USERS_CACHE_SIZE) this.known.delete(this.known.keys().next().value!);
  }
}
