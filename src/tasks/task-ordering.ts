import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import type { Task } from './dto/task.dto.js';
import { FIRST_WINDOW, keyBetween, planRebalance, tooLong } from './positions.js';
import { PositionsRepository } from './positions.repository.js';
import {
  InvalidPlacementError,
  PlacementConflictError,
  StaleTaskError,
  TaskNotFoundError,
} from './task.errors.js';
import { ListNotFoundError, ReadOnlyListError } from '../lists/list.errors.js';
import { canWrite } from '../lists/roles.js';
import {
  checkAfter,
  checkParent,
  movePlacement,
  named,
  type MoveTarget,
  type Placement,
} from './tree-rules.js';

export type { Placement } from './tree-rules.js';

/**
 * The unique indexes of sibling positions, the parent reference and the list reference (a list
 * deleted meanwhile): what a concurrent writer can trip. Tried again, the write then finds what changed.
 */
const CONFLICTS = new Set([
  'ux_tasks_top_position',
  'ux_tasks_sub_position',
  'fk_tasks_parent',
  'fk_tasks_list',
]);
/** A deadlock with a write that took its row locks in another order: the transaction was undone. */
export const DEADLOCK = '40P01';
/** How many times a placement runs while concurrent writers keep getting in its way (batches too). */
export const PLACEMENT_ATTEMPTS = 4;

/** Whether `err` is a concurrent writer's position (or deleted parent) getting in the way: try again. */
export const placementConflict = (err: unknown): boolean => {
  const e = err as { code?: unknown; constraint?: unknown };
  return (
    e.code === DEADLOCK ||
    ((e.code === '23505' || e.code === '23503') && CONFLICTS.has(e.constraint as string))
  );
};

/** `err`, or PlacementConflictError when it is a concurrent writer getting in the way (409 at the end). */
export function rethrowConflict(err: unknown): never {
  throw placementConflict(err) ? new PlacementConflictError() : err;
}

/**
 * Where a placement runs: in list `list` (null: the caller's inbox), or in the list of task `task`
 * (and, for a move into another list, in list `into` too).
 */
export type OrderingTarget = { list: string | null } | { task: string; into?: string };

/**
 * Manual order and subtasks: where tasks go among their siblings (positions.ts makes the keys, the
 * tree rules are tree-rules.ts, the statements PositionsRepository's). Every placement runs under the
 * ordering lock of its list (a transaction-scoped advisory lock, fine behind transaction poolers),
 * taken by the statement that reads the caller's role there, so concurrent moves and creates in one
 * list take their turns and never pick the same key; other lists never wait. The one write outside
 * the lock, a plain create that goes first at the top level (TasksRepository.insert: one statement,
 * sqlKeyBefore), tries again when a concurrent writer took its key.
 */
@Injectable()
export class TaskOrdering {
  constructor(
    private readonly db: Database,
    private readonly positions: PositionsRepository,
  ) {}

  /**
   * Runs `work` in a transaction holding the ordering lock of the target's list (joining the
   * caller's transaction when there is one), given that list's id (and `into`, whose lock it holds
   * too: both taken in list order, so two moves between the same lists in opposite directions do not
   * deadlock); the whole transaction again when a concurrent writer got in the way. Not a member:
   * ListNotFoundError (or TaskNotFoundError for a task's list, checked first); a member who may not
   * write: ReadOnlyListError.
   */
  locked<T>(
    userId: string,
    target: OrderingTarget,
    work: (list: string, into?: string) => Promise<T>,
  ): Promise<T> {
    const run = async () => {
      const locked =
        'task' in target
          ? await this.positions.lockListOf(userId, target.task, target.into)
          : await this.positions.lockList(userId, target.list);
      if (!locked) throw 'task' in target ? new TaskNotFoundError() : new ListNotFoundError();
      if (!canWrite(locked.role)) throw new ReadOnlyListError();
      const into = 'task' in target ? target.into : undefined;
      if (into !== undefined) {
        if (!locked.into_role) throw new ListNotFoundError();
        if (!canWrite(locked.into_role)) throw new ReadOnlyListError();
      }
      return work(locked.list_id, into);
    };
    return this.db
      .transaction(userId, run, { attempts: PLACEMENT_ATTEMPTS, retryable: placementConflict })
      .catch(rethrowConflict);
  }

  /**
   * Takes, in the current transaction and in list id order, the ordering locks of the lists of the
   * tasks `ids`, of `lists`, and of the caller's inbox when `inbox` (what a batch takes up front).
   */
  lockLists(userId: string, ids: string[], lists: string[], inbox: boolean): Promise<void> {
    return this.positions.lockLists(userId, ids, lists, inbox);
  }

  /** Locks the caller's tasks `ids` and the subtasks of `parents`, in id order, until the current transaction ends. */
  lockRows(userId: string, ids: string[], parents: string[]): Promise<void> {
    return this.positions.lockRows(userId, ids, parents);
  }

  /** A position for a new task in list `list` (under its lock): checks the parent and `after`, and makes room when needed. */
  async placeNew(userId: string, list: string, placement: Placement): Promise<string> {
    const rows = await this.positions.treeRows(list, named(placement.parent, placement.after));
    checkParent(placement.parent, rows);
    const after = checkAfter(placement, rows);
    return this.positionFor(userId, list, placement.parent, after?.position ?? null);
  }

  /**
   * Moves task `id` of list `list` (under its lock): to `to.parent` (undefined: its own), right after
   * `to.after` (null: first). One write: version +1. `versions`: the If-Match condition.
   */
  async move(userId: string, list: string, id: string, to: MoveTarget, versions?: number[]): Promise<Task> {
    const rows = await this.positions.treeRows(list, named(id, to.parent, to.after));
    const { placement, after } = movePlacement(id, to, rows, versions);
    const position = await this.positionFor(userId, list, placement.parent, after?.position ?? null, id);
    // treeRows locked the task: it can neither have gone nor changed since.
    const moved = await this.positions.moveTo(userId, list, id, placement.parent, position);
    if (!moved) throw new TaskNotFoundError();
    return moved;
  }

  /**
   * Moves task `id`, a top-level task of list `from`, with its subtasks into list `into` (both under
   * their locks): to `to.parent` there (undefined: the top level), right after `to.after` (null:
   * first). One write of the task and its subtasks (each a change: version +1); an assignee who is
   * not a member of `into` is cleared; into another owner's list only within that owner's
   * MAX_TASKS_PER_USER (TaskLimitReachedError). `versions`: the If-Match condition.
   */
  async moveToList(
    userId: string,
    from: string,
    into: string,
    id: string,
    to: MoveTarget,
    versions?: number[],
  ): Promise<Task> {
    const task = (await this.positions.treeRows(from, [id])).get(id);
    if (!task) throw new TaskNotFoundError();
    if (versions && !versions.includes(task.version)) throw new StaleTaskError(task.version);
    if (task.parent_id !== null)
      throw new InvalidPlacementError('list_id', InvalidPlacementError.subtaskAlone);
    const rows = await this.positions.treeRows(into, named(to.parent, to.after));
    const placement: Placement = { parent: to.parent ?? null, after: to.after };
    checkParent(placement.parent, rows);
    if (placement.parent !== null && task.has_subtasks)
      throw new InvalidPlacementError('parent_id', InvalidPlacementError.hasSubtasks);
    const after = checkAfter(placement, rows);
    const position = await this.positionFor(userId, into, placement.parent, after?.position ?? null, id);
    const moved = await this.positions.moveToList(userId, from, into, id, placement.parent, position);
    if (!moved) throw new TaskNotFoundError();
    return moved;
  }

  /**
   * A key right after `afterKey` (null: first) among the children of `parent` in `list`, leaving out
   * the task being moved. When that key would be too long, a window of siblings around the gap is
   * respaced (each of them a change: version +1), widening until its bounds are short or the list's ends.
   */
  private async positionFor(
    userId: string,
    list: string,
    parent: string | null,
    afterKey: string | null,
    moving: string | null = null,
  ): Promise<string> {
    const nearest = (side: 'before' | 'after', limit: number) =>
      this.positions.nearest(list, parent, moving, side, afterKey, limit);
    const [next] = await nearest('after', 1);
    const key = keyBetween(afterKey, next?.position ?? null);
    if (!tooLong(key)) return key;
    for (let window = FIRST_WINDOW; ; window *= 4) {
      const plan = planRebalance(
        { before: await nearest('before', window + 1), after: await nearest('after', window + 1) },
        window,
      );
      if (!plan) continue;
      await this.positions.respace(userId, list, plan.rewritten, moving);
      return plan.key;
    }
  }
}
