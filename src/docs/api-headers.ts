/**
 * Swagger descriptions of the headers several routes share. No examples on the conditional
 * headers: Swagger's "Try it out" would send them, and a made-up version is 412; a made-up
 * Idempotency-Key would turn a second create into a replay.
 */
import { IDEMPOTENCY_TTL_HOURS } from '../idempotency/idempotency.repository.js';

export const ETAG_HEADER = {
  ETag: { description: 'The task version as a strong tag, e.g. `"3"`', schema: { type: 'string' } },
};

export const IDEMPOTENT_REPLAYED_HEADER = {
  'Idempotent-Replayed': {
    description: '`true` when this is the stored response of an earlier request with the same key',
    schema: { type: 'string', enum: ['true'] },
  },
};

export const IF_MATCH_HEADER = {
  name: 'If-Match',
  required: false,
  description:
    'Make the write conditional: `"3"` (the `ETag` you read; strong comparison, so `W/` tags never match) ' +
    'or `*` (any existing task). A stale tag is `412` with the current `ETag`, and nothing changes. ' +
    'Without it the write is last-writer-wins, but atomic.',
};

export const IDEMPOTENCY_KEY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    '1–255 printable ASCII characters, e.g. a UUID per logical create. A retry with the same key and body ' +
    'replays the first response; another body is `422`; a retry while the first is in flight is `409`. ' +
    `Keys are per user and expire after ${IDEMPOTENCY_TTL_HOURS} h.`,
};
