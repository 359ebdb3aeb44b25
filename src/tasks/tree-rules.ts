import { InvalidPlacementError, StaleTaskError, TaskNotFoundError } from './task.errors.js';
import type { TreeRow } from './positions.repository.js';

/** Where a task goes: under `parent` (null: top level), right after sibling `after` (null: first). */
export interface Placement {
  parent: string | null;
  after: string | null;
}

/** Where a move asks a task to go: `parent` undefined keeps its own. */
export interface MoveTarget {
  parent?: string | null;
  after: string | null;
}

/** The tasks a placement names (the ones to read and lock), without repeats. */
export const named = (...ids: (string | null | undefined)[]): string[] => [
  ...new Set(ids.filter((i): i is string => typeof i === 'string')),
];

/** The parent must be one of the caller's tasks, and a top-level one. */
export function checkParent(parent: string | null, rows: Map<string, TreeRow>): void {
  if (parent === null) return;
  const row = rows.get(parent);
  if (!row) throw new InvalidPlacementError('parent_id', InvalidPlacementError.unknown);
  if (row.parent_id !== null)
    throw new InvalidPlacementError('parent_id', InvalidPlacementError.subtaskParent);
}

/** `after` must be one of the caller's tasks with the same parent: that task, or undefined for "first". */
export function checkAfter(placement: Placement, rows: Map<string, TreeRow>): TreeRow | undefined {
  if (placement.after === null) return undefined;
  const row = rows.get(placement.after);
  if (!row) throw new InvalidPlacementError('after', InvalidPlacementError.unknown);
  if (row.parent_id !== placement.parent)
    throw new InvalidPlacementError('after', InvalidPlacementError.notSibling);
  return row;
}

/**
 * Where a move of task `id` to `to` puts it, by the tree's rules (one level of subtasks; parents and
 * `after` are the caller's own; `versions`: the If-Match condition), given the rows it names. Each
 * broken rule is its error: not found, stale, or a 400 naming the field.
 */
export function movePlacement(
  id: string,
  to: MoveTarget,
  rows: Map<string, TreeRow>,
  versions?: number[],
): { placement: Placement; after?: TreeRow } {
  const task = rows.get(id);
  if (!task) throw new TaskNotFoundError();
  if (versions && !versions.includes(task.version)) throw new StaleTaskError(task.version);
  const placement: Placement = {
    parent: to.parent === undefined ? task.parent_id : to.parent,
    after: to.after,
  };
  if (placement.parent === id) throw new InvalidPlacementError('parent_id', InvalidPlacementError.ownParent);
  // An unchanged parent was checked when the task got it.
  if (to.parent !== undefined) checkParent(placement.parent, rows);
  if (placement.parent !== null && task.has_subtasks)
    throw new InvalidPlacementError('parent_id', InvalidPlacementError.hasSubtasks);
  if (placement.after === id) throw new InvalidPlacementError('after', InvalidPlacementError.afterItself);
  return { placement, after: checkAfter(placement, rows) };
}
