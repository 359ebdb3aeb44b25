import { Invite } from '@/components/Invite';

// Read at request time, so one build serves any API address (TASKS_API_URL).
export const dynamic = 'force-dynamic';

/** An invitation link: `/invite/<token>`, as the share dialog hands it out. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <Invite apiUrl={process.env.TASKS_API_URL ?? 'http://localhost:8000'} token={token} />;
}
