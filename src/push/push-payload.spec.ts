import type { ReminderNotification } from '../notifications/notification.js';
import type { Task } from '../tasks/dto/task.dto.js';
import { pushPayload, topicOf } from './push-payload.js';
import { PUSH_PAYLOAD_MAX } from './push.schema.js';

const notification = (description: string): ReminderNotification => ({
  id: '0c9f1e2d-3b4a-4c5d-8e7f-6a5b4c3d2e1f',
  type: 'reminder',
  reminder_id: '5d6c3a1e-8f2b-4c7d-9e0a-1b2c3d4e5f60',
  occurrence: '2026-12-01T09:00:00.000Z',
  fire_at: '2026-12-01T08:45:00.000Z',
  task: {
    id: '3f8e2c1a-5b7d-4e9f-a1c2-0d3b4e5f6a7b',
    title: 'Flight to Lisbon',
    description,
    due_date: '2026-12-01T09:00:00.000Z',
    list_id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  } as Task,
});

describe('pushPayload', () => {
  it('is the notification itself when it fits one push record', () => {
    const n = notification('gate B12');
    expect(JSON.parse(pushPayload(n))).toEqual(n);
  });

  it('cuts the task to its summary when it does not (a long description in a multi-byte script)', () => {
    const n = notification('🛫'.repeat(1000));
    const payload = pushPayload(n);
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(PUSH_PAYLOAD_MAX);
    expect(JSON.parse(payload)).toEqual({
      ...n,
      task: { id: n.task.id, title: n.task.title, due_date: n.task.due_date, list_id: n.task.list_id },
      truncated: true,
    });
  });
});

describe('topicOf', () => {
  it('is 32 URL-safe characters, one per notification', () => {
    const topic = topicOf('0c9f1e2d-3b4a-4c5d-8e7f-6a5b4c3d2e1f');
    expect(topic).toBe('0c9f1e2d3b4a4c5d8e7f6a5b4c3d2e1f');
    expect(topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
  });
});
