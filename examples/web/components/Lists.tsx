'use client';
import { useState, type FormEvent } from 'react';
import type { List, TasksClient } from '@tasks-api/client';
import { problemMessage } from '@/lib/api';
import { Alert } from './Alert';

/**
 * The sidebar: the caller's lists (inbox first, as the API orders them), the one shown marked; a
 * new list; and for the selected list's owner, rename and delete (not the inbox).
 */
export function Lists({
  api,
  lists,
  selected,
  onSelect,
  onChanged,
}: {
  api: TasksClient;
  lists: List[];
  selected?: List;
  onSelect: (id: string) => void;
  onChanged: () => void;
}) {
  const [error, setError] = useState<string>();
  const [renaming, setRenaming] = useState(false);

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get('name') ?? '');
    const { data, error, response } = await api.POST('/api/lists', { body: { name } });
    setError(error && problemMessage(error, response.status));
    if (data) {
      form.reset();
      onChanged();
      onSelect(data.id);
    }
  };
  const rename = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!selected) return;
    const name = String(new FormData(event.currentTarget).get('name') ?? '');
    const { error, response } = await api.PATCH('/api/lists/{id}', {
      params: { path: { id: selected.id }, header: { 'If-Match': `"${selected.version}"` } },
      body: { name },
    });
    setError(error && problemMessage(error, response.status));
    if (!error) setRenaming(false);
    onChanged();
  };
  const remove = async () => {
    if (!selected || !window.confirm(`Delete "${selected.name}" and all its tasks?`)) return;
    const { error, response } = await api.DELETE('/api/lists/{id}', {
      params: { path: { id: selected.id }, header: { 'If-Match': `"${selected.version}"` } },
    });
    setError(error && problemMessage(error, response.status));
    onChanged();
  };

  const owner = selected?.role === 'owner';
  return (
    <aside className="sidebar" aria-label="Lists">
      <ul data-testid="lists">
        {lists.map((list) => (
          <li key={list.id}>
            <button
              type="button"
              className={list.id === selected?.id ? 'list-name on' : 'list-name'}
              aria-current={list.id === selected?.id}
              data-list={list.name}
              onClick={() => onSelect(list.id)}
            >
              <span className="dot" style={{ background: list.color ?? 'transparent' }} />
              {list.name}
              {list.member_count > 1 && (
                <span className="members" title={`Shared: ${list.member_count} members`}>
                  {list.member_count} members
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
      <form className="new-list" onSubmit={(e) => void create(e)}>
        <input name="name" placeholder="New list" aria-label="New list name" />
        <button type="submit">Add list</button>
      </form>
      {selected && owner && (
        <div className="list-actions">
          {renaming ? (
            <form onSubmit={(e) => void rename(e)}>
              <input name="name" defaultValue={selected.name} aria-label="List name" />
              <button type="submit">Rename</button>
            </form>
          ) : (
            <button type="button" className="link" onClick={() => setRenaming(true)}>
              Rename list
            </button>
          )}
          {!selected.is_inbox && (
            <button type="button" className="link danger" onClick={() => void remove()}>
              Delete list
            </button>
          )}
        </div>
      )}
      <Alert message={error} />
    </aside>
  );
}
