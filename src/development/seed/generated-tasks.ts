import { PRIORITIES, TASK_COLUMNS } from '../../tasks/task.schema.js';
import type { Task } from '../../tasks/dto/task.dto.js';

/** SQL expressions, over the row number `n` (and whatever else the FROM clause names), for the columns of generated tasks. */
export type TaskExpressions = Partial<Record<keyof Task, string>>;

/**
 * Varied tasks: four titles, half with a description, all priorities, three in four with a due
 * date (in 2026), one in three completed, four tag sets, one minute apart from 2020 on, top-level
 * tasks in manual order newest first.
 * Tests and benchmarks override what they need.
 */
export const VARIED_TASKS = {
  title: `'Task ' || n || ' ' || (ARRAY['buy groceries','write report','call the bank','fix the bike'])[1 + n % 4]`,
  description: `CASE WHEN n % 2 = 0 THEN NULL ELSE 'details for task ' || n END`,
  priority: `(ARRAY[${PRIORITIES.map((p) => `'${p}'`).join(',')}])[1 + n % ${PRIORITIES.length}]`,
  due_date: `CASE WHEN n % 4 = 0 THEN NULL ELSE timestamptz '2026-01-01Z' + (n % 400) * interval '1 day' END`,
  completed: 'n % 3 = 0',
  tags: `CASE n % 5 WHEN 0 THEN '{}'::text[] WHEN 1 THEN '{work}' WHEN 2 THEN '{home,urgent}' ELSE '{errand}' END`,
  created_at: `timestamptz '2020-01-01Z' + n * interval '1 minute'`,
  updated_at: `timestamptz '2020-01-01Z' + n * interval '1 minute'`,
  // Valid fractional-indexing keys ('f' + six digits: an integer key), newest first; n < 1 000 000.
  position: `'f' || lpad((999999 - n)::text, 6, '0')`,
} satisfies TaskExpressions;

/**
 * One INSERT of many generated tasks, for tests and benchmarks: `INSERT INTO tasks (…) SELECT …
 * FROM <from>`, with the columns in TASK_COLUMNS order; columns left out take their defaults.
 * E.g. `insertGeneratedTasks('generate_series(1, $2) AS n', { ...VARIED_TASKS, user_id: '$1' })`.
 */
export function insertGeneratedTasks(from: string, columns: TaskExpressions): string {
  const names = TASK_COLUMNS.filter((c) => columns[c] !== undefined);
  return `INSERT INTO tasks (${names.join(', ')}) SELECT ${names.map((c) => columns[c]).join(', ')} FROM ${from}`;
}
