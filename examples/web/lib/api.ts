'use client';
import {
  createTasksClient,
  type Problem,
  type TasksClient,
  type TasksClientOptions,
} from '@tasks-api/client';
import { authClient } from './auth-client';

/** A token is renewed this long before its `exp`, so a request never leaves with one about to expire. */
const RENEW_BEFORE_MS = 30_000;

let cached: { user: string; token: string; expiresAt: number } | undefined;
let renewing: Promise<typeof cached> | undefined;

const claimsOf = (token: string): { sub?: string; exp?: number } =>
  JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as {
    sub?: string;
    exp?: number;
  };

/**
 * The API's Bearer token for `user`: Better Auth's JWT (`authClient.token()`, from the session
 * cookie), kept until shortly before it expires. `renew` asks for a new one whatever the cache
 * holds (after a 401). A token of anyone but `user` is never handed out (the session changed, in
 * this tab or another): undefined then, and the request goes without one (401).
 */
async function getToken(user: string, renew = false): Promise<string | undefined> {
  const fresh = cached && cached.user === user && cached.expiresAt - RENEW_BEFORE_MS > Date.now();
  if (renew || !fresh) {
    renewing ??= authClient
      .token()
      .then(({ data }) => {
        const claims = data?.token ? claimsOf(data.token) : undefined;
        return data?.token && claims?.sub
          ? { user: claims.sub, token: data.token, expiresAt: (claims.exp ?? 0) * 1000 }
          : undefined;
      })
      .finally(() => (renewing = undefined));
    cached = await renewing;
  }
  return cached?.user === user ? cached.token : undefined;
}

/** Forgets the token (on sign-out, or when the session's user changes). */
export const forgetToken = (): void => void (cached = undefined);

/** A problem+json response made here, for a request that got no answer at all. */
const unreachable = (url: string, err: unknown) =>
  new Response(
    JSON.stringify({
      type: 'about:blank',
      title: 'Cannot reach the API',
      status: 503,
      detail: `No answer from ${new URL(url).origin}: ${(err as Error).message}. Check your connection and try again.`,
    }),
    { status: 503, headers: { 'Content-Type': 'application/problem+json' } },
  );

/**
 * What the typed client and `subscribe()` are built from, for the signed-in `user`. Its fetch, on a
 * 401, renews the token once and sends the request again (the API refuses a bad token before doing
 * anything, so even a POST is safe to repeat), and answers a network failure as a 503 problem, so
 * every caller shows it like any other error.
 */
export function apiOptions(baseUrl: string, user: string): TasksClientOptions {
  const send = async (request: Request): Promise<Response> => {
    try {
      return await fetch(request);
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      return unreachable(request.url, err);
    }
  };
  return {
    baseUrl,
    getToken: () => getToken(user),
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const response = await send(request.clone());
      if (response.status !== 401) return response;
      const token = await getToken(user, true);
      if (!token) return response;
      const again = new Request(request);
      again.headers.set('Authorization', `Bearer ${token}`);
      return send(again);
    },
  };
}

export const createApi = (baseUrl: string, user: string): TasksClient =>
  createTasksClient(apiOptions(baseUrl, user));

/**
 * A failed call's problem+json, as messages by field. Fields that are not in `shown` (the form
 * has no place for them), and the problem itself when it names none, go under `''`: the form's
 * general message.
 */
export function fieldErrors(
  problem: Problem | undefined,
  status: number,
  shown: readonly string[] = [],
): Record<string, string> {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  for (const { field, message } of problem?.errors ?? []) {
    if (shown.includes(field)) byField[field] ??= message;
    else general.push(`${field}: ${message}`);
  }
  if (!problem?.errors?.length)
    general.push(problem?.detail ?? problem?.title ?? `The API answered ${status}`);
  if (general.length) byField[''] = general.join('; ');
  return byField;
}

/** A failed call as one message (for errors that belong to no form field). */
export const problemMessage = (problem: Problem | undefined, status: number): string =>
  fieldErrors(problem, status)[''];
