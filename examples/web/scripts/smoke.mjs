// `node scripts/smoke.mjs <web origin> <api url>`: the whole path once, over HTTP, no browser: sign up
// through Better Auth, get the API token from its jwt plugin, create and list a task on the API with
// it. Exits non-zero, saying which step failed. (CI runs it against `npm run demo`.)
const [webOrigin = 'http://localhost:3000', apiUrl = 'http://localhost:8000'] = process.argv.slice(2);

async function step(name, call) {
  const response = await call();
  if (!response.ok) throw new Error(`${name}: ${response.status} ${await response.text()}`);
  return response;
}

const email = `smoke-${Date.now().toString(36)}@example.com`;
const signUp = await step('sign up', () =>
  fetch(`${webOrigin}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: webOrigin },
    body: JSON.stringify({ email, password: 'correct horse battery', name: 'Smoke' }),
  }),
);
const cookie = signUp.headers
  .getSetCookie()
  .map((c) => c.split(';')[0])
  .join('; ');
const { token } = await (
  await step('token', () => fetch(`${webOrigin}/api/auth/token`, { headers: { cookie } }))
).json();
const auth = { Authorization: `Bearer ${token}` };
await step('create', () =>
  fetch(`${apiUrl}/api/tasks`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Smoke test' }),
  }),
);
const tasks = await (await step('list', () => fetch(`${apiUrl}/api/tasks`, { headers: auth }))).json();
if (tasks.length !== 1 || tasks[0].title !== 'Smoke test') throw new Error(`list: ${JSON.stringify(tasks)}`);
console.log(
  `smoke: ${email} signed up at ${webOrigin}, its Better Auth JWT created and listed a task at ${apiUrl}`,
);
