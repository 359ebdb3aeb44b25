import type { TreeRow } from './positions.repository.js';
import { InvalidPlacementError, StaleTaskError, TaskNotFoundError } from './task.errors.js';
import { checkAfter, checkParent, movePlacement, named } from './tree-rules.js';

const row = (id: string, over: Partial<TreeRow> = {}): TreeRow => ({
  id,
  parent_id: null,
  position: `k-${id}`,
  version: 1,
  has_subtasks: false,
  ...over,
});
const rowsOf = (...rows: TreeRow[]) => new Map(rows.map((r) => [r.id, r]));

/** The field and message of the InvalidPlacementError `run` throws. */
function placementError(run: () => unknown): { field: string; message: string } {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidPlacementError);
    return { field: (err as InvalidPlacementError).field, message: (err as Error).message };
  }
  throw new Error('no InvalidPlacementError');
}

describe('tree rules', () => {
  it('named: the ids a placement reads, each once, without nulls', () => {
    expect(named('a', null, undefined, 'b', 'a')).toEqual(['a', 'b']);
  });

  describe('checkParent', () => {
    it('top level needs no parent row', () => {
      expect(() => checkParent(null, new Map())).not.toThrow();
    });
    it('a parent that is not one of the caller’s tasks is 400 on parent_id', () => {
      expect(placementError(() => checkParent('p', new Map()))).toEqual({
        field: 'parent_id',
        message: InvalidPlacementError.unknown,
      });
    });
    it('a subtask cannot be a parent (one level)', () => {
      expect(placementError(() => checkParent('s', rowsOf(row('s', { parent_id: 'p' }))))).toEqual({
        field: 'parent_id',
        message: InvalidPlacementError.subtaskParent,
      });
    });
    it('a top-level task can', () => {
      expect(() => checkParent('p', rowsOf(row('p')))).not.toThrow();
    });
  });

  describe('checkAfter', () => {
    it('no `after`: first, no row', () => {
      expect(checkAfter({ parent: null, after: null }, new Map())).toBeUndefined();
    });
    it('`after` must be one of the caller’s tasks', () => {
      expect(placementError(() => checkAfter({ parent: null, after: 'x' }, new Map())).message).toBe(
        InvalidPlacementError.unknown,
      );
    });
    it('and a sibling under the same parent', () => {
      const rows = rowsOf(row('a', { parent_id: 'p' }));
      expect(placementError(() => checkAfter({ parent: null, after: 'a' }, rows))).toEqual({
        field: 'after',
        message: InvalidPlacementError.notSibling,
      });
      expect(checkAfter({ parent: 'p', after: 'a' }, rows)?.id).toBe('a');
    });
  });

  describe('movePlacement', () => {
    it('a task that is not the caller’s is not found; a stale If-Match is stale', () => {
      expect(() => movePlacement('t', { after: null }, new Map())).toThrow(TaskNotFoundError);
      expect(() => movePlacement('t', { after: null }, rowsOf(row('t', { version: 3 })), [2])).toThrow(
        StaleTaskError,
      );
    });
    it('keeps the task’s own parent when none is named, without checking it again', () => {
      const rows = rowsOf(row('t', { parent_id: 'gone' }));
      expect(movePlacement('t', { after: null }, rows).placement).toEqual({ parent: 'gone', after: null });
    });
    it('refuses its own parent, a task with subtasks going under one, and after itself', () => {
      expect(
        placementError(() => movePlacement('t', { parent: 't', after: null }, rowsOf(row('t')))).message,
      ).toBe(InvalidPlacementError.ownParent);
      const parentWithKids = rowsOf(row('t', { has_subtasks: true }), row('p'));
      expect(
        placementError(() => movePlacement('t', { parent: 'p', after: null }, parentWithKids)).message,
      ).toBe(InvalidPlacementError.hasSubtasks);
      expect(placementError(() => movePlacement('t', { after: 't' }, rowsOf(row('t')))).message).toBe(
        InvalidPlacementError.afterItself,
      );
    });
    it('a new parent is checked; `after` must be under it', () => {
      const rows = rowsOf(row('t'), row('p'), row('a'), row('b', { parent_id: 'p' }));
      expect(placementError(() => movePlacement('t', { parent: 'p', after: 'a' }, rows)).field).toBe('after');
      expect(movePlacement('t', { parent: 'p', after: 'b' }, rows)).toEqual({
        placement: { parent: 'p', after: 'b' },
        after: rows.get('b'),
      });
      expect(movePlacement('t', { parent: null, after: 'a' }, rows).after?.id).toBe('a');
    });
  });
});
