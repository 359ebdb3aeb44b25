import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.js';

/** The VAPID details web-push signs with. */
export interface VapidDetails {
  subject: string;
  publicKey: string;
  privateKey: string;
}

/**
 * The server's VAPID key pair (RFC 8292) from VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT
 * (all three or none: env.ts). Outside production `npm start` generates a pair when none is set
 * (src/development/dev-environment.ts); without one, Web Push is off: its routes answer 503 and no
 * push delivery is written.
 */
@Injectable()
export class Vapid {
  readonly details?: VapidDetails;

  constructor(config: ConfigService<Env, true>) {
    const publicKey = config.get('VAPID_PUBLIC_KEY', { infer: true });
    const privateKey = config.get('VAPID_PRIVATE_KEY', { infer: true });
    const subject = config.get('VAPID_SUBJECT', { infer: true });
    if (publicKey && privateKey && subject) this.details = { subject, publicKey, privateKey };
  }
}
