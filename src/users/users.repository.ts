import { Injectable } from '@nestjs/common';
import { Database, sql } from '../database/database.js';

/** The SQL of the users directory (migration Lists): who each user id is, as their tokens say. */
@Injectable()
export class UsersRepository {
  constructor(private readonly db: Database) {}

  /**
   * Records the user's `email` and `name`: inserted the first time, updated only when one of them
   * differs from what is stored (an unchanged user writes no row version).
   */
  async upsert(id: string, email: string | null, name: string | null): Promise<void> {
    await this.db.bookkeeping(
      id,
      sql(
        `INSERT INTO users AS u (id, email, name) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, updated_at = now()
          WHERE u.email IS DISTINCT FROM EXCLUDED.email OR u.name IS DISTINCT FROM EXCLUDED.name`,
        [id, email, name],
      ),
    );
  }
}
