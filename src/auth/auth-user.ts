/** The caller, as read from a verified token. `sub` is the user id of every request. */
export interface AuthUser {
  sub: string;
  email: string | null;
  name: string | null;
}
