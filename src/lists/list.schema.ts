/** The facts about a list that SQL, DTOs and tests agree on (the migration Lists makes the table). */

/** Lengths and formats the DTOs validate and the columns' checks hold. */
export const LIST_LIMITS = {
  name: 100,
  color: /^#[0-9a-f]{6}$/,
} as const;

/** The name of the inbox made for a user (they may rename it). */
export const INBOX_NAME = 'Inbox';

/** The API's fields of a list, in order: what every statement of ListsRepository returns. */
export const LIST_COLUMNS = [
  'id',
  'name',
  'color',
  'is_inbox',
  'owner_id',
  'role',
  'member_count',
  'created_at',
  'updated_at',
  'version',
] as const;
