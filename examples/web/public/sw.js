// The web app's service worker: shows a reminder that arrives as a Web Push message (its data is the
// API's ReminderNotification, decrypted by the browser), and on a click opens the app at the task's
// list, or brings an open window there. lib/push.ts registers it when the user turns push on.

// Control the open pages at once (a notification click can then send one of them to the list).
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

self.addEventListener('push', (event) => {
  let notification;
  try {
    notification = event.data ? event.data.json() : undefined;
  } catch {
    notification = undefined;
  }
  const task = notification && notification.task;
  const title = task ? `Reminder: ${task.title}` : 'Reminder';
  const body = task && task.due_date ? `Due ${when(task.due_date)}` : '';
  // One notification per reminder occurrence: a second delivery of the same one replaces it.
  event.waitUntil(
    self.registration.showNotification(title, {
      body,
      tag: notification ? notification.id : undefined,
      data: { list: task ? task.list_id : undefined },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const list = event.notification.data && event.notification.data.list;
  const url = new URL(list ? `/?list=${encodeURIComponent(list)}` : '/', self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window' }).then(async (windows) => {
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (!open) return self.clients.openWindow(url);
      const shown = open.url === url ? open : ((await open.navigate(url)) ?? open);
      return shown.focus();
    }),
  );
});
