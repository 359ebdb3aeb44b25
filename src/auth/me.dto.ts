/** The caller, from the verified token. */
export class MeDto {
  /**
   * The user id (the token's `sub`).
   * @example "user_2x9k3h"
   */
  id: string;

  /**
   * The token's `email` claim, or null.
   * @example "ada@example.com"
   */
  email: string | null;

  /**
   * The token's `name` claim, or null.
   * @example "Ada Lovelace"
   */
  name: string | null;
}
