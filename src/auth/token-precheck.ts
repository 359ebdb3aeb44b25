/** A bearer token longer than this is refused unread: never verified, never cached. */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * `typ` values of access tokens: absent (Better Auth's jwt plugin), `JWT`, or RFC 9068's `at+jwt`
 * (with or without `application/`). Anything else is another kind of token: Better Auth's own
 * session-cache JWTs (`better-auth.session-cache+jwt`) are signed with the same keys.
 */
const ACCESS_TOKEN_TYP = /^(application\/)?(jwt|at\+jwt)$/i;

/**
 * Why a bearer token is refused before any signature check (length, then `typ` from its header),
 * or undefined. A header that does not decode is left to the verification, which refuses it.
 */
export function refusedUnverified(token: string): 'too long' | 'not an access token' | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return 'too long';
  try {
    const header = JSON.parse(
      Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'),
    ) as {
      typ?: unknown;
    };
    if (header.typ !== undefined && (typeof header.typ !== 'string' || !ACCESS_TOKEN_TYP.test(header.typ)))
      return 'not an access token';
  } catch {
    return undefined;
  }
  return undefined;
}
