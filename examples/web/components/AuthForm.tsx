'use client';
import { useState, type FormEvent } from 'react';
import { authClient } from '@/lib/auth-client';
import { Alert } from './Alert';

/** Email + password, through Better Auth (a sign-up signs in at once). */
export function AuthForm() {
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email'));
    const password = String(form.get('password'));
    setBusy(true);
    setError(undefined);
    const { error } =
      mode === 'sign-up'
        ? await authClient.signUp.email({
            email,
            password,
            name: String(form.get('name') || email.split('@')[0]),
          })
        : await authClient.signIn.email({ email, password });
    setBusy(false);
    if (error) setError(error.message ?? error.statusText);
  };

  return (
    <main className="page narrow">
      <h1>Tasks</h1>
      <form className="card stack" onSubmit={(e) => void submit(e)}>
        <h2>{mode === 'sign-in' ? 'Sign in' : 'Create an account'}</h2>
        {mode === 'sign-up' && (
          <label>
            Name
            <input name="name" autoComplete="name" />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" required autoComplete="email" />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            required
            minLength={8}
            autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
          />
        </label>
        <Alert message={error} />
        <button type="submit" disabled={busy}>
          {mode === 'sign-in' ? 'Sign in' : 'Sign up'}
        </button>
        <button
          type="button"
          className="link"
          onClick={() => {
            setMode(mode === 'sign-in' ? 'sign-up' : 'sign-in');
            setError(undefined);
          }}
        >
          {mode === 'sign-in' ? 'No account yet? Sign up' : 'Have an account? Sign in'}
        </button>
      </form>
    </main>
  );
}
