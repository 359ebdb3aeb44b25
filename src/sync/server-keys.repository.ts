import { Injectable } from '@nestjs/common';
import { Database, sql } from '../database/database.js';

/** The SQL of `server_keys` (migration ServerKeys): secret keys every instance shares, by purpose. */
@Injectable()
export class ServerKeysRepository {
  constructor(private readonly db: Database) {}

  /**
   * The key stored under `name`, storing `candidate` first when there is none. Instances asking at
   * once all get the key stored first: the INSERT does nothing on a conflict (waiting for the other
   * insert to commit), and the SELECT, a statement of its own, sees the stored row. On the primary,
   * outside any transaction of the caller's (a key must not be rolled back with someone's request).
   */
  async ensure(name: string, candidate: Buffer): Promise<Buffer> {
    for (;;) {
      await this.db.housekeeping(
        sql('INSERT INTO server_keys (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
          name,
          candidate,
        ]),
      );
      const { rows } = await this.db.housekeeping(sql('SELECT key FROM server_keys WHERE name = $1', [name]));
      // Deleted in between (an operator withdrawing the key): store one again.
      const [stored] = rows as { key: Buffer }[];
      if (stored) return stored.key;
    }
  }
}
