import type { Env } from './env.js';

/**
 * The settings named by `keys`, from a validated Env or read one by one (`ConfigService.get`): how a
 * module picks the variables it uses, from one list of their names.
 */
export function pickEnv<K extends keyof Env>(
  keys: readonly K[],
  source: Env | ((key: K) => unknown),
): Pick<Env, K> {
  const read = typeof source === 'function' ? source : (key: K) => source[key];
  return Object.fromEntries(keys.map((key) => [key, read(key)])) as Pick<Env, K>;
}
