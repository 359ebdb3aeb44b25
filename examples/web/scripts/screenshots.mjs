// `node scripts/screenshots.mjs [web origin]` against a running `npm run demo`: makes the README's
// two pictures, docs/tasks.png (one user's list) and docs/live.png (two windows of that user, the
// second showing what the first just did).
import { join } from 'node:path';
import { launch, newAccount, row, signIn, signUp, addTask } from '../e2e/browser.mjs';
import { WEB_DIR } from './stack.mjs';

const origin = process.argv[2] ?? 'http://localhost:3000';
const browser = await launch();
const open = async () => (await browser.newContext({ viewport: { width: 760, height: 560 } })).newPage();
try {
  const account = newAccount('ada');
  const page = await open();
  await signUp(page, origin, account);
  for (const title of ['Renew passport', 'Plan the team offsite', 'Buy milk']) await addTask(page, title);
  const offsite = row(page, 'Plan the team offsite');
  await offsite.getByRole('button', { name: 'Edit' }).click();
  await offsite.getByLabel('Description').fill('Venue, agenda, travel');
  await offsite.getByLabel('Priority').selectOption('high');
  await offsite.getByLabel('Due').fill('2027-01-15T10:00');
  await offsite.getByRole('button', { name: 'Save' }).click();
  await row(page, 'Plan the team offsite').getByText('Venue, agenda, travel').waitFor();
  await row(page, 'Plan the team offsite').getByRole('button', { name: 'Subtasks' }).click();
  for (const title of ['Book the venue', 'Draft the agenda']) {
    await offsite.getByLabel('Title').fill(title);
    await offsite.getByRole('button', { name: 'Add subtask' }).click();
    await offsite.getByTestId('subtasks').locator(`[data-title="${title}"]`).waitFor();
  }
  await row(page, 'Buy milk').getByRole('checkbox').click();
  await page.locator('li.done[data-title="Buy milk"]').waitFor();
  await page.screenshot({ path: join(WEB_DIR, 'docs', 'tasks.png') });

  const other = await open();
  await signIn(other, origin, account);
  for (const p of [page, other]) await p.getByTestId('live').filter({ hasText: 'live' }).waitFor();
  await addTask(page, 'Call the plumber');
  await row(other, 'Call the plumber').waitFor({ timeout: 1000 });
  const shots = [await page.screenshot(), await other.screenshot()].map(
    (b) => `data:image/png;base64,${b.toString('base64')}`,
  );
  const board = await open();
  await board.setViewportSize({ width: 1544, height: 600 });
  await board.setContent(
    `<body style="margin:0;background:#cfd4dc;display:flex;gap:8px;padding:8px;font:14px system-ui">` +
      shots
        .map(
          (src, i) =>
            `<figure style="margin:0"><img src="${src}" width="760"><figcaption>${i ? 'Window 2: shows it within a second' : 'Window 1: adds “Call the plumber”'}</figcaption></figure>`,
        )
        .join('') +
      `</body>`,
  );
  await board.screenshot({ path: join(WEB_DIR, 'docs', 'live.png'), fullPage: true });
  console.log('docs/tasks.png and docs/live.png written');
} finally {
  await browser.close();
}
