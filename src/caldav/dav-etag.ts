import { parseIfMatch } from '../tasks/etag.js';

/**
 * A resource's ETag for one reader: the task's version, and, once that reader's reminders on it
 * changed, the number of that change (`"7-1042"`). Reminders are the reader's own VALARMs, so the
 * representation (and its tag) differs per reader; a task nobody set a reminder on keeps the
 * API's plain `"7"`.
 */
export const davEtag = (version: number, alarmSeq: string | null): string =>
  alarmSeq === null ? `"${version}"` : `"${version}-${alarmSeq}"`;

const STRONG_TAG = /^"(\d{1,9})(?:-(\d{1,19}))?"$/;

/** An ETag of ours, read back: its version and its alarm part (null: none). */
export interface DavEtag {
  version: number;
  alarmSeq: string | null;
}

/**
 * The ETags an `If-Match` header names (strong comparison: weak and foreign tags match nothing),
 * undefined when absent or `*`; a malformed header is 400, as for the API (parseIfMatch).
 */
export function ifMatchEtags(header: string | undefined): DavEtag[] | undefined {
  if (parseIfMatch(header) === undefined) return undefined;
  const tags: DavEtag[] = [];
  for (const raw of header!.split(',')) {
    const m = STRONG_TAG.exec(raw.trim());
    if (m) tags.push({ version: Number(m[1]), alarmSeq: m[2] ?? null });
  }
  return tags;
}

/** The versions among `tags` whose alarm part is the reader's now (`alarmSeq`): what `If-Match` still allows. */
export const versionsAt = (tags: DavEtag[], alarmSeq: string | null): number[] =>
  tags.filter((t) => t.alarmSeq === alarmSeq).map((t) => t.version);
