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

/** The API's fields of a member, in order: what MembersRepository's statements return. */
export const MEMBER_COLUMNS = ['user_id', 'email', 'name', 'role', 'joined_at'] as const;

/** The API's fields of an open invitation (the token is never among them), in order. */
export const INVITATION_COLUMNS = ['id', 'list_id', 'role', 'email', 'expires_at', 'created_at'] as const;

/** Lengths of what identifies a user: their id (the token's `sub`) and an email an invitation is bound to. */
export const USER_LIMITS = { id: 255, email: 320 } as const;

/** Random bytes in an invitation token (256 bits; base64url, 43 characters). */
export const INVITATION_TOKEN_BYTES = 32;
