/** One statement on the test database: the test app's `DataSource.query` or a direct pool's (helpers/pg.ts). */
type Run = (text: string, values: unknown[]) => Promise<unknown>;

/**
 * Memberships written straight into `list_members`, as the member routes write them (the row; the
 * triggers do the rest: feeds, watchers, reminders, assignments), for specs about what a membership
 * changes rather than about the routes (those are members.e2e-spec.ts's, through real invitations).
 */
export const membership = (run: Run) => ({
  /** `user` joins `list` with `role`. */
  join: (list: string, user: string, role: 'editor' | 'viewer' = 'editor') =>
    run('INSERT INTO list_members (list_id, user_id, role) VALUES ($1, $2, $3)', [list, user, role]),
  /** `user` leaves `list` (or is removed from it). */
  leave: (list: string, user: string) =>
    run('DELETE FROM list_members WHERE list_id = $1 AND user_id = $2', [list, user]),
});
