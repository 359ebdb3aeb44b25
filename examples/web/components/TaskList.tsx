'use client';
import { useState } from 'react';
import type { List, TasksClient } from '@tasks-api/client';
import { problemMessage } from '@/lib/api';
import { useTaskList, type Filter } from '@/lib/use-task-list';
import { ifMatch, TaskItem } from './TaskItem';

/**
 * Sibling tasks in their manual order, with "Load more" paging. Drag a task onto another to put it
 * in that one's place (`POST /api/tasks/{id}/move` with the sibling it must follow).
 */
export function TaskList({
  api,
  filter,
  parentId,
  tick,
  lists,
  readOnly,
  onChanged,
}: {
  api: TasksClient;
  filter: Filter;
  parentId: string;
  tick: number;
  /** The user's lists, to move a task to another. */
  lists: List[];
  /** A viewer's list: shown, never changed. */
  readOnly: boolean;
  onChanged: () => void;
}) {
  const { items, next, error, loaded, loadMore } = useTaskList(api, filter, parentId, tick);
  const [dragged, setDragged] = useState<string>();
  const [moveError, setMoveError] = useState<string>();

  const drop = async (draggedId: string, targetIndex: number) => {
    setDragged(undefined);
    // Only a task of this list (a subtask dropped on a top-level task, say, is not a move).
    const from = items.findIndex((t) => t.id === draggedId);
    if (from < 0 || from === targetIndex) return;
    // Moving down: after the target. Moving up: after the one before the target (none: first).
    const after = from < targetIndex ? items[targetIndex].id : (items[targetIndex - 1]?.id ?? null);
    const { error, response } = await api.POST('/api/tasks/{id}/move', {
      params: { path: { id: draggedId }, header: ifMatch(items[from].version) },
      body: { after },
    });
    setMoveError(error && problemMessage(error, response.status));
    onChanged();
  };

  const subtasks = parentId !== 'none';
  return (
    <div className={subtasks ? 'list subtasks' : 'list'}>
      {[error, moveError].filter(Boolean).map((message) => (
        <p className="error" role="alert" key={message}>
          {message}
        </p>
      ))}
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
            lists={lists}
            readOnly={readOnly}
            onChanged={onChanged}
            dragging={dragged === task.id}
            onDragStart={() => setDragged(task.id)}
            onDragEnd={() => setDragged(undefined)}
            onDrop={(id) => void drop(id, index)}
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
