import type { Response } from 'express';
import { ProblemException } from '../errors/problem.exception.js';

/** A task's entity tag is its version, as a strong tag: `"3"`. */
export const etagOf = (task: { version: number }): string => `"${task.version}"`;

/** `If-None-Match` uses weak comparison (RFC 9110 §13.1.2): `W/"3"` and `"3"` both match version 3. */
export function matchesNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** Sets the answer's `ETag` from `entity`'s version; returns the entity. */
export function withEtag<T extends { version: number }>(res: Response, entity: T): T {
  res.setHeader('ETag', etagOf(entity));
  return entity;
}

/**
 * A conditional GET of one versioned entity (a task, a list): its `ETag` is set, and when
 * `If-None-Match` names it the answer is `304` without a body (undefined).
 */
export function answerGet<T extends { version: number }>(
  res: Response,
  ifNoneMatch: string | undefined,
  entity: T,
): T | undefined {
  withEtag(res, entity);
  if (!matchesNoneMatch(ifNoneMatch, etagOf(entity))) return entity;
  res.status(304);
  return undefined;
}

const ENTITY_TAG = /^(W\/)?"([^"]*)"$/;

/**
 * The versions an `If-Match` header allows: undefined when absent or `*` (any existing task),
 * else the versions of its strong tags. `If-Match` uses strong comparison, so a weak tag
 * (`W/"3"`) matches nothing. A malformed header is 400.
 */
export function parseIfMatch(header: string | undefined): number[] | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const versions: number[] = [];
  for (const raw of header.split(',')) {
    const m = ENTITY_TAG.exec(raw.trim());
    if (!m) {
      throw new ProblemException(400, 'If-Match must be * or a list of entity tags such as "3"', {
        errors: [{ field: 'If-Match', message: 'must be * or entity tags such as "3"' }],
      });
    }
    if (!m[1] && /^\d{1,9}$/.test(m[2])) versions.push(Number(m[2]));
  }
  return versions;
}
