// npm run seed -- --user alice [--count 200]
// Realistic demo tasks for a user (titles, descriptions, tags, priorities, some done, due dates
// spread around today), created through TasksService like API calls are: same rules, same
// normalisation. Uses DATABASE_URL, else the embedded development database (shared with a running
// `npm start`).
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { loadDotEnv } from '../../config/dotenv.js';
import { prepareDevEnvironment } from '../dev-environment.js';

const TITLES = [
  ['Buy groceries', 'Milk, eggs, bread, coffee', ['home', 'errand']],
  ['Write the quarterly report', 'Numbers from finance are in the shared folder', ['work']],
  ['Call the bank', 'Ask about the card renewal', ['finance', 'phone']],
  ['Fix the bike brakes', null, ['home']],
  ['Plan the weekend trip', 'Train tickets and a place to stay', ['travel']],
  ['Review pull request #42', 'Keyset pagination change', ['work', 'code']],
  ['Book a dentist appointment', null, ['health', 'phone']],
  ['Renew passport', 'Photos first', ['errand', 'travel']],
  ['Prepare the team meeting', 'Agenda and last week’s notes', ['work']],
  ['Water the plants', null, ['home']],
  ['Pay the electricity bill', null, ['finance']],
  ['Read chapter 3', 'Designing Data-Intensive Applications', ['reading']],
] as const;
const PRIORITIES = ['low', 'medium', 'medium', 'high'] as const;

function fail(message: string): never {
  process.stderr.write(`seed: ${message}\n`);
  process.exit(1);
}

const { values } = parseArgs({
  options: { user: { type: 'string' }, count: { type: 'string', default: '200' } },
});
if (!values.user?.trim()) fail('usage: npm run seed -- --user <user-id> [--count 200]');
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1 || count > 100_000)
  fail('--count must be a whole number from 1 to 100000');

loadDotEnv();
process.env.LOG_LEVEL ??= 'warn';
const embedded = await prepareDevEnvironment(process.env, (m) => process.stdout.write(`${m}\n`)).catch(
  (err: unknown) => fail(err instanceof Error ? err.message : String(err)),
);
const { AppModule } = await import('../../app.module.js');
const { TasksService } = await import('../../tasks/tasks.service.js');
const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
try {
  const tasks = app.get(TasksService);
  const day = 86_400_000;
  for (let i = 0; i < count; i++) {
    const [title, description, tags] = TITLES[i % TITLES.length];
    const due = i % 5 === 0 ? null : new Date(Date.now() + (((i * 7) % 41) - 20) * day).toISOString();
    await tasks.create(values.user, {
      title: i < TITLES.length ? title : `${title} (${Math.floor(i / TITLES.length) + 1})`,
      description,
      tags: [...tags],
      priority: PRIORITIES[i % PRIORITIES.length],
      completed: i % 4 === 3,
      due_date: due,
    });
  }
  process.stdout.write(`created ${count} tasks for ${values.user}\n`);
} finally {
  await app.close();
  await embedded?.stop();
}
