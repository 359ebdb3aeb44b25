import { Injectable } from '@nestjs/common';
import { advisoryLock, LOCK_CLASS } from '../database/advisory-locks.js';
import { Database, sql } from '../database/database.js';
import { LAST_USED_PRECISION_S } from './app-password.schema.js';

/** An app password as its user sees it (never its hash). */
export interface AppPasswordRow {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

/** A stored password a sign-in may be for, with its hash to check. */
export interface Candidate {
  id: string;
  hash: string;
}

/** Who an app password (still) signs in, read on the primary. */
export interface Holder {
  user_id: string;
  email: string | null;
  name: string | null;
  last_used_at: string | null;
}

const FIELDS = 'id, name, created_at, last_used_at';

/**
 * The SQL of app passwords (migration CalDav). Every read a sign-in makes is on the primary: a
 * password made a moment ago signs in at once, and a deleted one is refused at the next request,
 * however far behind a replica is.
 */
@Injectable()
export class AppPasswordsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Stores a new app password of the caller, unless they have `max` already (null then). Counted
   * under the caller's app-passwords lock in this transaction, so concurrent creates take turns.
   */
  create(
    userId: string,
    name: string,
    lookup: string,
    hash: string,
    max: number,
  ): Promise<AppPasswordRow | null> {
    return this.db.locked(userId, advisoryLock(LOCK_CLASS.appPasswordsOfUser, userId), async () => {
      const [row] = await this.db.rows<AppPasswordRow>(
        sql(
          `INSERT INTO app_passwords (user_id, name, lookup, hash)
           SELECT $1::varchar, $2, $3, $4 WHERE (SELECT count(*) FROM app_passwords WHERE user_id = $1::varchar) < $5
           RETURNING ${FIELDS}`,
          [userId, name, lookup, hash, max],
        ),
        userId,
      );
      return row ?? null;
    });
  }

  /** The caller's app passwords, newest first. */
  all(userId: string): Promise<AppPasswordRow[]> {
    return this.db.read<AppPasswordRow>(
      userId,
      sql(`SELECT ${FIELDS} FROM app_passwords WHERE user_id = $1 ORDER BY created_at DESC, id`, [userId]),
    );
  }

  /** Deletes one of the caller's app passwords; whether there was one. */
  delete(userId: string, id: string): Promise<boolean> {
    return this.db.deleted(
      userId,
      sql('DELETE FROM app_passwords WHERE id = $1 AND user_id = $2 RETURNING id', [id, userId]),
    );
  }

  /**
   * The stored passwords with this `lookup` of the user whose id is `login`, or of the users whose
   * email is `login` (case-insensitive).
   */
  candidates(login: string, lookup: string): Promise<Candidate[]> {
    return this.db.rows<Candidate>(
      sql(
        `SELECT p.id, p.hash FROM app_passwords p
          WHERE p.lookup = $2
            AND (p.user_id = $1 OR p.user_id IN (SELECT id FROM users WHERE lower(email) = lower($1)))`,
        [login, lookup],
      ),
    );
  }

  /** Who app password `id` signs in, while it exists (null once deleted). */
  async holder(id: string): Promise<Holder | null> {
    const [row] = await this.db.rows<Holder>(
      sql(
        `SELECT p.user_id, u.email, u.name, p.last_used_at
           FROM app_passwords p LEFT JOIN users u ON u.id = p.user_id WHERE p.id = $1`,
        [id],
      ),
    );
    return row ?? null;
  }

  /** Records a sign-in with app password `id` (at most one write a minute: LAST_USED_PRECISION_S). */
  async used(userId: string, id: string): Promise<void> {
    await this.db.bookkeeping(
      userId,
      sql(
        `UPDATE app_passwords SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
        [id, LAST_USED_PRECISION_S],
      ),
    );
  }
}
