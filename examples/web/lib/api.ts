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

let cached: { token: string; expiresAt: number } | undefined;
let renewing: Promise<string | undefined> | undefined;

const expiryOf = (token: string): number => {
  const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as {
    exp?: number;
  };
  return (payload.exp ?? 0) * 1000;
};

/**
 * The API's Bearer token: Better Auth's JWT (`authClient.token()`, from the session cookie), kept
 * until shortly before it expires. `renew` asks for a new one whatever the cache holds (after a 401).
 */
export function getToken(renew = false): Promise<string | undefined> {
  if (!renew && cached && cached.expiresAt - RENEW_BEFORE_MS > Date.now())
    return Promise.resolve(cached.token);
  renewing ??= authClient
    .token()
    .then(({ data }) => {
      cached = data?.token ? { token: data.token, expiresAt: expiryOf(data.token) } : undefined;
      return cached?.token;
    })
    .finally(() => (renewing = undefined));
  return renewing;
}

/** Forgets the token (on sign-out). */
export const forgetToken = (): void => void (cached = undefined);

/** fetch that, on a 401, renews the token once and sends the request again (a token expired or rotated). */
const renewingFetch: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  const response = await fetch(request.clone());
  if (response.status !== 401) return response;
  const token = await getToken(true);
  if (!token) return response;
  const again = new Request(request);
  again.headers.set('Authorization', `Bearer ${token}`);
  return fetch(again);
};

/** What the typed client and `subscribe()` are built from. */
export const apiOptions = (baseUrl: string): TasksClientOptions => ({
  baseUrl,
  getToken: () => getToken(),
  fetch: renewingFetch,
});

export const createApi = (baseUrl: string): TasksClient => createTasksClient(apiOptions(baseUrl));

/** A failed call's problem+json, split into messages by field (`''`: about the request as a whole). */
export function fieldErrors(problem: Problem | undefined, status: number): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const { field, message } of problem?.errors ?? []) byField[field] ??= message;
  if (!problem?.errors?.length)
    byField[''] = problem?.detail ?? problem?.title ?? `The API answered ${status}`;
  return byField;
}
