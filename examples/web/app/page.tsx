import { Home } from '@/components/Home';

// Read at request time, so one build serves any API address (TASKS_API_URL).
export const dynamic = 'force-dynamic';

export default function Page() {
  return <Home apiUrl={process.env.TASKS_API_URL ?? 'http://localhost:8000'} />;
}
