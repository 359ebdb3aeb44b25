'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { nextCursor, type Task, type TasksClient } from '@tasks-api/client';
import { problemMessage } from './api';

export const PAGE_SIZE = 20;
/** The API's largest page: a reload fetches at most this many of the tasks already shown. */
const MAX_PAGE = 100;

export type Status = 'all' | 'pending' | 'completed';
/** What the list shows: by status, and with `q`, only tasks whose title or description has it. */
export interface Filter {
  status: Status;
  q?: string;
  /** One list's tasks (absent: every task the user can see). */
  listId?: string;
}

/**
 * One list of sibling tasks in their manual order (`sort=position`): the top level
 * (`parentId: 'none'`) or one task's subtasks, filtered, paged by the API's cursor. Every change
 * of `tick` (a write here, or one announced by the live stream) loads again as many tasks as are
 * shown; the newest load wins, and a "Load more" that a reload overtook is dropped.
 */
export function useTaskList(api: TasksClient, { status, q, listId }: Filter, parentId: string, tick: number) {
  const [items, setItems] = useState<Task[]>([]);
  const [next, setNext] = useState<string>();
  const [error, setError] = useState<string>();
  const [loaded, setLoaded] = useState(false);
  const shown = useRef(PAGE_SIZE);
  const generation = useRef(0);

  const fetchPage = useCallback(
    (limit: number, cursor?: string) =>
      api.GET('/api/tasks', {
        params: {
          query: {
            status,
            q: q || undefined,
            list_id: listId,
            parent_id: parentId,
            sort: 'position',
            limit,
            cursor,
          },
        },
      }),
    [api, status, q, listId, parentId],
  );

  useEffect(() => {
    const mine = ++generation.current;
    void fetchPage(Math.min(MAX_PAGE, Math.max(PAGE_SIZE, shown.current))).then(
      ({ data, error, response }) => {
        if (mine !== generation.current) return;
        if (data) {
          setItems(data);
          setNext(nextCursor(response));
          setError(undefined);
        } else setError(problemMessage(error, response.status));
        setLoaded(true);
      },
    );
  }, [fetchPage, tick]);

  const loadMore = async () => {
    if (!next) return;
    const mine = generation.current;
    const { data, error, response } = await fetchPage(PAGE_SIZE, next);
    if (mine !== generation.current) return;
    if (!data) return setError(problemMessage(error, response.status));
    setItems((items) => {
      const all = [...items, ...data.filter((t) => !items.some((i) => i.id === t.id))];
      shown.current = all.length;
      return all;
    });
    setNext(nextCursor(response));
  };

  return { items, next, error, loaded, loadMore };
}
