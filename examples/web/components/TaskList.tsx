'use client';
import { useState } from 'react';
import type { TasksClient } from '@tasks-api/client';
import { fieldErrors } from '@/lib/api';
import { useTaskList, type Status } from '@/lib/use-task-list';
import { TaskItem } from './TaskItem';

/**
 * Sibling tasks in their manual order, with "Load more" paging. Drag a task onto another to put it
 * in that one's place (`POST /api/tasks/{id}/move` with the sibling it must follow).
 */
export function TaskList({
  api,
  status,
  parentId,
  tick,
  onChanged,
}: {
  api: TasksClient;
  status: Status;
  parentId: string;
  tick: number;
  onChanged: () => void;
}) {
  const { items, next, error, loaded, loadMore } = useTaskList(api, status, parentId, tick);
  const [dragged, setDragged] = useState<string>();
  const [moveError, setMoveError] = useState<string>();

  const drop = async (targetIndex: number) => {
    const from = items.findIndex((t) => t.id === dragged);
    setDragged(undefined);
    if (from < 0 || from === targetIndex) return;
    // Moving down: after the target. Moving up: after the one before the target (none: first).
    const after = from < targetIndex ? items[targetIndex].id : (items[targetIndex - 1]?.id ?? null);
    const { error, response } = await api.POST('/api/tasks/{id}/move', {
      params: { path: { id: items[from].id } },
      body: { after },
    });
    setMoveError(error ? fieldErrors(error, response.status)[''] : undefined);
    onChanged();
  };

  const subtasks = parentId !== 'none';
  return (
    <div className={subtasks ? 'list subtasks' : 'list'}>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {moveError && (
        <p className="error" role="alert">
          {moveError}
        </p>
      )}
      {loaded && items.length === 0 && !error && (
        <p className="empty">{subtasks ? 'No subtasks.' : 'Nothing here.'}</p>
      )}
      <ul data-testid={subtasks ? 'subtasks' : 'tasks'}>
        {items.map((task, index) => (
          <TaskItem
            key={task.id}
            api={api}
            task={task}
            tick={tick}
            onChanged={onChanged}
            dragging={dragged === task.id}
            onDragStart={() => setDragged(task.id)}
            onDrop={() => void drop(index)}
          />
        ))}
      </ul>
      {next && (
        <button type="button" className="link" onClick={() => void loadMore()}>
          Load more
        </button>
      )}
    </div>
  );
}
