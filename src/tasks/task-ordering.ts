import { Injectable } from '@nestjs/common';
import type { Task } from './dto/task.dto.js';
import { Database, sql, type Tx } from '../database/database.js';
import { FIRST_WINDOW, keyBetween, planRebalance, tooLong, type Neighbourhood } from './positions.js';
import {
  InvalidPlacementError,
  PlacementConflictError,
  StaleTaskError,
  TaskNotFoundError,
} from './task.errors.js';
import { TASK_COLUMNS } from './task.schema.js';

/** Where a task goes: under `parent` (null: top level), right after sibling `after` (null: first). */
export interface Placement {
  parent: string | null;
  after: string | null;
}

/** What a placement check needs to know of a task. */
interface TreeRow {
  id: string;
  parent_id: string | null;
  position: string;
  version: number;
  has_subtasks: boolean;
}

const COLUMNS = TASK_COLUMNS.join(', ');
/** The unique indexes of sibling positions, and the parent reference: what a concurrent writer can trip. */
const CONFLICTS = new Set(['ux_tasks_top_position', 'ux_tasks_sub_position', 'fk_tasks_parent']);
/** A deadlock with a write that took its row locks in another order: the transaction was undone. */
export const DEADLOCK = '40P01';
/** How many times a placement runs while concurrent writers keep getting in its way (batches too). */
export const PLACEMENT_ATTEMPTS = 4;

/**
 * `run` again while it fails with an error `retryable` accepts, `attempts` times at most in all;
 * the last failure, or any other, is thrown.
 */
export async function retrying<T>(
  attempts: number,
  retryable: (err: unknown) => boolean,
  run: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!retryable(err) || attempt === attempts) throw err;
    }
  }
}

/** Whether `err` is a concurrent writer's position (or deleted parent) getting in the way: try again. */
export const placementConflict = (err: unknown): boolean => {
  const e = err as { code?: unknown; constraint?: unknown };
  return (
    e.code === DEADLOCK ||
    ((e.code === '23505' || e.code === '23503') && CONFLICTS.has(e.constraint as string))
  );
};

/**
 * Manual order and subtasks: where tasks go among their siblings (positions.ts makes the keys),
 * and the tree rules (one level; parents and `after` are the caller's own). Every placement runs
 * under the user's ordering lock (a transaction-scoped advisory lock, fine behind transaction
 * poolers), so concurrent moves and creates of one user take their turns and never pick the same
 * key; other users never wait. The one write outside the lock, a plain create that goes first at
 * the top level (TasksRepository.insert: one statement, sqlKeyBefore), tries again when a
 * concurrent writer took its key.
 */
@Injectable()
export class TaskOrdering {
  constructor(private readonly db: Database) {}

  /** Runs `work` in a transaction holding `userId`'s ordering lock; again when a concurrent writer got in the way. */
  async locked<T>(userId: string, work: (tx: Tx) => Promise<T>, tx?: Tx): Promise<T> {
    const run = async (t: Tx) => {
      await this.lock(t, userId);
      return work(t);
    };
    // Inside the caller's transaction a conflict cannot be retried here: it aborts that transaction.
    if (tx) return run(tx).catch(rethrowConflict);
    return retrying(PLACEMENT_ATTEMPTS, placementConflict, () => this.db.transaction(run)).catch(
      rethrowConflict,
    );
  }

  /** Takes `userId`'s ordering lock until `tx` ends (again in the same transaction: at once). */
  async lock(tx: Tx, userId: string): Promise<void> {
    await this.db.execute(
      sql('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`tasks.order/${userId}`]),
      tx,
    );
  }

  /** A position for a new task (under the lock): checks the parent and `after`, and makes room when needed. */
  async placeNew(tx: Tx, userId: string, placement: Placement): Promise<string> {
    const rows = await this.treeRows(tx, userId, [placement.parent, placement.after]);
    checkParent(placement.parent, rows);
    const after = checkAfter(placement, rows);
    return this.positionFor(tx, userId, placement.parent, after?.position ?? null);
  }

  /**
   * Moves task `id` (under the lock): to `parent` (undefined: its own), right after `after` (null:
   * first). One write: version +1. `versions`: the If-Match condition.
   */
  async move(
    tx: Tx,
    userId: string,
    id: string,
    to: { parent?: string | null; after: string | null },
    versions?: number[],
  ): Promise<Task> {
    const rows = await this.treeRows(tx, userId, [id, to.parent ?? null, to.after]);
    const task = rows.get(id);
    if (!task) throw new TaskNotFoundError();
    if (versions && !versions.includes(task.version)) throw new StaleTaskError(task.version);
    const placement: Placement = {
      parent: to.parent === undefined ? task.parent_id : to.parent,
      after: to.after,
    };
    if (placement.parent === id)
      throw new InvalidPlacementError('parent_id', InvalidPlacementError.ownParent);
    // An unchanged parent was checked when the task got it.
    if (to.parent !== undefined) checkParent(placement.parent, rows);
    if (placement.parent !== null && task.has_subtasks)
      throw new InvalidPlacementError('parent_id', InvalidPlacementError.hasSubtasks);
    if (placement.after === id) throw new InvalidPlacementError('after', InvalidPlacementError.afterItself);
    const after = checkAfter(placement, rows);
    const position = await this.positionFor(tx, userId, placement.parent, after?.position ?? null, id);
    const [moved] = await this.db.rows<Task>(
      sql(
        `UPDATE tasks SET parent_id = $3, position = $4, version = version + 1, updated_at = now()
          WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
        [id, userId, placement.parent, position],
      ),
      tx,
    );
    // treeRows locked the task: it can neither have gone nor changed since.
    if (!moved) throw new TaskNotFoundError();
    return moved;
  }

  /**
   * The caller's tasks among `ids` (nulls skipped), by id, with whether each has subtasks, locked
   * until the transaction ends: writes that do not take the ordering lock (PATCH, DELETE) wait, so
   * the versions read here hold for the write that follows, and a parent cannot vanish meanwhile.
   */
  private async treeRows(tx: Tx, userId: string, ids: (string | null)[]): Promise<Map<string, TreeRow>> {
    const wanted = [...new Set(ids.filter((i): i is string => i !== null))];
    if (wanted.length === 0) return new Map();
    const rows = await this.db.rows<TreeRow>(
      sql(
        `SELECT id, parent_id, position, version,
                EXISTS (SELECT 1 FROM tasks c WHERE c.parent_id = t.id) AS has_subtasks
           FROM tasks t WHERE user_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE`,
        [userId, wanted],
      ),
      tx,
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * A key right after `afterKey` (null: first) among the children of `parent`, leaving out the task
   * being moved. When that key would be too long, a window of siblings around the gap is respaced
   * (each of them a change: version +1), widening until its bounds are short or the list's ends.
   */
  private async positionFor(
    tx: Tx,
    userId: string,
    parent: string | null,
    afterKey: string | null,
    moving?: string,
  ): Promise<string> {
    const siblings = `user_id = $1 AND parent_id ${parent === null ? 'IS NULL AND $2::uuid IS NULL' : '= $2'} AND id IS DISTINCT FROM $3`;
    const base = [userId, parent, moving ?? null];
    const nearest = async (side: 'before' | 'after', key: string | null, limit: number) => {
      if (side === 'before' && key === null) return [];
      const [op, dir] = side === 'before' ? ['<=', 'DESC'] : ['>', 'ASC'];
      const bound = key === null ? ' AND $4::varchar IS NULL' : ` AND position ${op} $4`;
      return this.db.rows<{ id: string; position: string }>(
        sql(`SELECT id, position FROM tasks WHERE ${siblings}${bound} ORDER BY position ${dir} LIMIT $5`, [
          ...base,
          key,
          limit,
        ]),
        tx,
      );
    };
    const [next] = await nearest('after', afterKey, 1);
    const key = keyBetween(afterKey, next?.position ?? null);
    if (!tooLong(key)) return key;
    for (let window = FIRST_WINDOW; ; window *= 4) {
      const hood: Neighbourhood = {
        before: await nearest('before', afterKey, window + 1),
        after: await nearest('after', afterKey, window + 1),
      };
      const plan = planRebalance(hood, window);
      if (!plan) continue;
      const ids = plan.rewritten.map((r) => r.id);
      // Out of the way first (a unique index checks each row as it is written), then the new keys.
      await this.db.execute(
        sql(`UPDATE tasks SET position = '~' || id::text WHERE user_id = $1 AND id = ANY($2::uuid[])`, [
          userId,
          moving ? [...ids, moving] : ids,
        ]),
        tx,
      );
      await this.db.execute(
        sql(
          `UPDATE tasks t SET position = v.position, version = t.version + 1, updated_at = now()
             FROM unnest($2::uuid[], $3::text[]) AS v(id, position) WHERE t.user_id = $1 AND t.id = v.id`,
          [userId, ids, plan.rewritten.map((r) => r.position)],
        ),
        tx,
      );
      return plan.key;
    }
  }
}

/** The parent must be one of the caller's tasks, and a top-level one. */
function checkParent(parent: string | null, rows: Map<string, TreeRow>): void {
  if (parent === null) return;
  const row = rows.get(parent);
  if (!row) throw new InvalidPlacementError('parent_id', InvalidPlacementError.unknown);
  if (row.parent_id !== null)
    throw new InvalidPlacementError('parent_id', InvalidPlacementError.subtaskParent);
}

/** `after` must be one of the caller's tasks with the same parent. */
function checkAfter(placement: Placement, rows: Map<string, TreeRow>): TreeRow | undefined {
  if (placement.after === null) return undefined;
  const row = rows.get(placement.after);
  if (!row) throw new InvalidPlacementError('after', InvalidPlacementError.unknown);
  if (row.parent_id !== placement.parent)
    throw new InvalidPlacementError('after', InvalidPlacementError.notSibling);
  return row;
}

function rethrowConflict(err: unknown): never {
  throw placementConflict(err) ? new PlacementConflictError() : err;
}
