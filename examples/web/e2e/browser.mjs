// Debian's Chromium driven by playwright-core, and what the tests share.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { WEB_DIR } from '../scripts/stack.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where a failing test leaves a screenshot of each of its pages (CI prints and keeps the folder). */
export const ARTIFACTS = process.env.WEB_TEST_ARTIFACTS ?? join(WEB_DIR, 'test-results');

/**
 * Why the browser tests cannot run here, or undefined. Under CI=true a missing browser is a
 * failure, not a reason.
 */
export function skipReason() {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  return reason;
}

export const launch = () =>
  chromium.launch({
    executablePath: CHROMIUM,
    // As root Chromium needs --no-sandbox; the rest keep it off the network this machine does not have.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

/**
 * Runs `body`; when it fails, `onFailure` runs and a screenshot of each page in `pages` (filled as
 * the body opens them) goes to ARTIFACTS/<name>-<n>.png before the error is passed on.
 */
export async function withScreenshots(name, pages, body, onFailure = () => undefined) {
  try {
    await body();
  } catch (err) {
    onFailure();
    mkdirSync(ARTIFACTS, { recursive: true });
    const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    let n = 0;
    for (const page of pages) {
      if (page.isClosed()) continue;
      const path = join(ARTIFACTS, `${slug}-${++n}.png`);
      await page.screenshot({ path, fullPage: true }).catch(() => undefined);
      console.error(`screenshot of the failure: ${path}`);
    }
    throw err;
  }
}

let users = 0;
/** A new, unique account (the tests may share a database with earlier runs). */
export const newAccount = (label) => ({
  email: `${label}-${Date.now().toString(36)}-${++users}@example.com`,
  password: 'correct horse battery',
});

/** Signs up (`create`) or in through the app's form; resolves once the task list shows. */
async function authenticate(page, origin, { email, password }, create) {
  await page.goto(origin);
  if (create) await page.getByRole('button', { name: 'No account yet? Sign up' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: create ? 'Sign up' : 'Sign in' }).click();
  await page.getByTestId('who').filter({ hasText: email }).waitFor();
}
export const signUp = (page, origin, account) => authenticate(page, origin, account, true);
export const signIn = (page, origin, account) => authenticate(page, origin, account, false);

/** The top-level list's rows, and one row by title. */
export const rows = (page) => page.getByTestId('tasks').locator(':scope > li');
export const row = (page, title) => rows(page).and(page.locator(`[data-title="${title}"]`));

/** The titles of the top-level list, in order. */
export const titles = (page) => rows(page).evaluateAll((items) => items.map((li) => li.dataset.title));

/** Waits until the top-level list shows exactly `expected` (in order); fails naming what it shows. */
export async function expectTitles(page, expected, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  let shown;
  while (Date.now() < until) {
    shown = await titles(page);
    if (JSON.stringify(shown) === JSON.stringify(expected)) return;
    await page.waitForTimeout(50);
  }
  throw new Error(`the list shows ${JSON.stringify(shown)}, expected ${JSON.stringify(expected)}`);
}

/** Adds a top-level task through the form at the top and waits for its row. */
export async function addTask(page, title) {
  const form = page.locator('section.add-task form');
  await form.getByLabel('Title').fill(title);
  await form.getByRole('button', { name: 'Add' }).click();
  await row(page, title).waitFor();
}

/** The API token of the page's signed-in user, the way the app gets it (Better Auth's /token). */
export const tokenOf = (page) =>
  page.evaluate(() =>
    fetch('/api/auth/token')
      .then((r) => r.json())
      .then((body) => body.token),
  );
