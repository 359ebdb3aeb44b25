'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { nextCursor, type Task, type TasksClient } from '@tasks-api/client';
import { fieldErrors } from './api';

export const PAGE_SIZE = 20;
/** The API's largest page: a reload fetches at most this many of the tasks already shown. */
const MAX_PAGE = 100;

export type Status = 'all' | 'pending' | 'completed';

/**
 * One list of sibling tasks in their manual order (`sort=position`): the top level
 * (`parentId: 'none'`) or one task's subtasks, filtered by status, paged by the API's cursor.
 * Every change of `tick` (a write here, or one announced by the live stream) loads again as many
 * tasks as are shown.
 */
export function useTaskList(api: TasksClient, status: Status, parentId: string, tick: number) {
  const [items, setItems] = useState<Task[]>([]);
  const [next, setNext] = useState<string>();
  const [error, setError] = useState<string>();
  const [loaded, setLoaded] = useState(false);
  const shown = useRef(PAGE_SIZE);

  const fetchPage = useCallback(
    (limit: number, cursor?: string) =>
      api.GET('/api/tasks', {
        params: { query: { status, parent_id: parentId, sort: 'position', limit, cursor } },
      }),
    [api, status, parentId],
  );

  useEffect(() => {
    let stale = false;
    void fetchPage(Math.min(MAX_PAGE, Math.max(PAGE_SIZE, shown.current))).then(
      ({ data, error, response }) => {
        if (stale) return;
        if (data) {
          setItems(data);
          setNext(nextCursor(response));
          setError(undefined);
        } else setError(fieldErrors(error, response.status)['']);
        setLoaded(true);
      },
    );
    return () => void (stale = true);
  }, [fetchPage, tick]);

  const loadMore = async () => {
    if (!next) return;
    const { data, error, response } = await fetchPage(PAGE_SIZE, next);
    if (!data) return setError(fieldErrors(error, response.status)['']);
    const all = [...items, ...data.filter((t) => !items.some((i) => i.id === t.id))];
    shown.current = all.length;
    setItems(all);
    setNext(nextCursor(response));
  };

  return { items, next, error, loaded, loadMore };
}
