'use client';
import type { TasksClient } from '@tasks-api/client';
import { problemMessage } from './api';

/** Where this browser keeps, per signed-in user, their subscription's id at the API (to unsubscribe it). */
const subscriptionIdKey = (user: string) => `tasks.push-subscription-id.${user}`;

export type PushState = 'unsupported' | 'denied' | 'off' | 'on';

const supported = () =>
  typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window;

/** Whether this browser can take push messages, and whether `user` is subscribed in it now. */
export async function pushState(user: string): Promise<PushState> {
  if (!supported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const registration = await navigator.serviceWorker.getRegistration('/');
  const subscription = await registration?.pushManager.getSubscription();
  return subscription && localStorage.getItem(subscriptionIdKey(user)) ? 'on' : 'off';
}

/** The VAPID key (base64url) as the bytes `PushManager.subscribe` takes. */
const keyBytes = (base64url: string): Uint8Array<ArrayBuffer> => {
  const binary = atob(base64url.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
};

/** Whether `subscription` was made with `key` (a rotated key, or another API's, needs a new one). */
const madeWith = (subscription: PushSubscription, key: Uint8Array) => {
  const used = subscription.options?.applicationServerKey;
  if (!used) return false;
  const bytes = new Uint8Array(used);
  return bytes.length === key.length && bytes.every((b, i) => b === key[i]);
};

/**
 * Turns push notifications on for `user` in this browser: asks for permission (first, while the
 * click that called this still counts as the user's gesture), registers the service worker
 * (`/sw.js`), subscribes with the API's VAPID key and hands the subscription to the API
 * (`POST /api/push-subscriptions`). An error message when it could not.
 */
export async function turnOnPush(api: TasksClient, user: string): Promise<string | undefined> {
  if (!supported()) return 'This browser cannot receive push notifications';
  if ((await Notification.requestPermission()) !== 'granted')
    return 'Notifications are blocked for this site in the browser';
  const vapid = await api.GET('/api/push/vapid-public-key');
  if (!vapid.data) return problemMessage(vapid.error, vapid.response.status);
  const key = keyBytes(vapid.data.public_key);
  const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (subscription && !madeWith(subscription, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: key,
  });
  const json = subscription.toJSON();
  const stored = await api.POST('/api/push-subscriptions', {
    body: {
      endpoint: json.endpoint ?? subscription.endpoint,
      expirationTime: json.expirationTime ?? null,
      keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
    },
  });
  if (!stored.data) return problemMessage(stored.error, stored.response.status);
  localStorage.setItem(subscriptionIdKey(user), stored.data.id);
  return undefined;
}

/**
 * Turns them off for `user`: the API forgets the subscription, and the browser drops it. Also on
 * sign-out, so that the next person at this browser never gets the last one's reminders.
 */
export async function turnOffPush(api: TasksClient, user: string): Promise<string | undefined> {
  if (!supported()) return undefined;
  const id = localStorage.getItem(subscriptionIdKey(user));
  if (id) {
    const { error, response } = await api.DELETE('/api/push-subscriptions/{id}', {
      params: { path: { id } },
    });
    if (error && response.status !== 404) return problemMessage(error, response.status);
    localStorage.removeItem(subscriptionIdKey(user));
  }
  const registration = await navigator.serviceWorker.getRegistration('/');
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
  return undefined;
}
