/**
 * Roles in a list and what each may do (contract "Lists and sharing"), and the one SQL shape of a
 * membership check: every statement on a list's tasks carries it (a probe of `pk_list_members`,
 * which includes the role), so access is decided by the statement itself, at the moment it runs.
 */
export const ROLES = ['owner', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** The roles a member other than the owner holds: what invitations grant and a role change sets. */
export const MEMBER_ROLES = ['editor', 'viewer'] as const satisfies readonly Role[];
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** The roles that may create, change, complete, move and delete a list's tasks. */
export const WRITER_ROLES: readonly Role[] = ['owner', 'editor'];

/** Whether `role` may write the tasks of its list. */
export const canWrite = (role: Role | null | undefined): boolean => !!role && WRITER_ROLES.includes(role);

const quoted = (roles: readonly Role[]) => roles.map((r) => `'${r}'`).join(', ');

/**
 * SQL: whether user `user` (a parameter like `$1`) is a member of list `list` (an SQL expression:
 * `t.list_id`, `$2`), with one of `roles` when given.
 */
export const memberSql = (list: string, user: string, roles?: readonly Role[]): string =>
  `EXISTS (SELECT 1 FROM list_members m WHERE m.list_id = ${list} AND m.user_id = ${user}` +
  `${roles ? ` AND m.role IN (${quoted(roles)})` : ''})`;

/** SQL: the role of user `user` in list `list` (null: not a member). */
export const roleSql = (list: string, user: string): string =>
  `(SELECT m.role FROM list_members m WHERE m.list_id = ${list} AND m.user_id = ${user})`;

/** SQL: writers only (owner, editor). */
export const writerSql = (list: string, user: string): string => memberSql(list, user, WRITER_ROLES);

/**
 * SQL: whether user `user` (an SQL expression) is a member of list `list`, any role, locking that
 * membership row (FOR KEY SHARE) until the transaction ends. A statement that assigns a task checks
 * the assignee with it: a removal or a leave that runs meanwhile waits for the assignment to commit,
 * and then clears it (migration Assignee), instead of missing a row it could not see yet.
 */
export const assignableSql = (list: string, user: string): string =>
  `EXISTS (SELECT 1 FROM list_members m WHERE m.list_id = ${list} AND m.user_id = ${user} FOR KEY SHARE)`;
