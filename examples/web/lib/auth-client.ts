'use client';
import { jwtClient } from 'better-auth/client/plugins';
import { createAuthClient } from 'better-auth/react';

/** Better Auth in the browser, on this app's own origin (/api/auth/*). `token()` comes from jwtClient. */
export const authClient = createAuthClient({ plugins: [jwtClient()] });
