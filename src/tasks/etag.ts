import type { Task } from './entities/task.entity.js';

/** A task's entity tag is its version, as a strong tag: `"3"`. */
export const etagOf = (task: Pick<Task, 'version'>): string => `"${task.version}"`;

/** `If-None-Match` uses weak comparison (RFC 9110 §13.1.2): `W/"3"` and `"3"` both match version 3. */
export function matchesNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
