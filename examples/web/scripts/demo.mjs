// `npm run demo` (in the repository's root or here): installs and builds what is missing, then
// runs the API on :8000 (embedded PostgreSQL unless DATABASE_URL is set) and the web app on :3000.
// Ctrl-C (or SIGTERM) stops both, also while they are starting.
import { prepare, startStack, stopAll } from './stack.mjs';

const apiPort = Number(process.env.API_PORT ?? 8000);
const webPort = Number(process.env.WEB_PORT ?? 3000);

let stopping = false;
const stop = (code) => {
  if (stopping) return;
  stopping = true;
  void stopAll().then(() => process.exit(code));
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(0));

prepare();
// Stopped meanwhile (a signal during the start): stopAll() takes care of it, and of the exit.
const stack = await startStack({ apiPort, webPort, databaseUrl: process.env.DATABASE_URL, echo: true }).catch(
  (err) => {
    if (!stopping) {
      console.error(err.message);
      stop(1);
    }
  },
);
if (stack && !stopping) {
  console.log(`\nReady: open ${stack.webOrigin} (sign up with any email and a password of 8+ characters).`);
  console.log(`The API: ${stack.apiUrl}/docs. Ctrl-C stops both.\n`);
  void stack.exited.then((why) => {
    if (stopping) return;
    console.error(`\n${why}`);
    stop(1);
  });
}
