/**
 * The helpdesk intake (SOP 1): the helpdesk website submits a request on the visitor's behalf.
 * Each body is signed with HMAC-SHA256 under a shared secret over `timestamp + "." + rawBody`; a
 * stale timestamp is refused (replay guard). One visit per ticket: the same ticket with the same
 * body is a retry and gets the visit already made; with another body it is a conflict.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { Actor, Visit } from '../domain/types.js';
import type { SubmitInput } from '../domain/visit-lifecycle.js';
import { canonicalJson } from '../store/journal-chain.js';
import type { VisitService } from './visit-service.js';

export interface IntakeSettings {
  enabled: boolean;
  secret: string;
  maxSkewSeconds: number;
}

export const INTAKE_ACTOR: Actor = { id: 'intake', role: 'system', name: 'helpdesk' };
export const TIMESTAMP_HEADER = 'x-jurukunci-timestamp';
export const SIGNATURE_HEADER = 'x-jurukunci-signature';

/** `sha256=<hex>` of HMAC-SHA256(secret, timestamp + "." + body): what the helpdesk sends. */
export function signIntake(secret: string, timestamp: string, body: string | Buffer): string {
  const h = createHmac('sha256', secret);
  h.update(`${timestamp}.`);
  h.update(body);
  return `sha256=${h.digest('hex')}`;
}

export type IntakeInput = SubmitInput & { ticketRef: string };

export class IntakeService {
  constructor(private readonly deps: { visits: VisitService; settings: IntakeSettings; clock: () => Date }) {}

  /** On only when enabled and given a secret. */
  get enabled(): boolean {
    return this.deps.settings.enabled && this.deps.settings.secret.length > 0;
  }

  /** Throws unless the body is signed with the shared secret at a time close to the clock. */
  verify(timestamp: string | undefined, signature: string | undefined, rawBody: Buffer): void {
    if (!this.enabled) throw new AppError('intake_disabled');
    if (!timestamp || !/^\d{1,12}$/.test(timestamp)) {
      throw new AppError('intake_signature_invalid', { header: TIMESTAMP_HEADER, rule: 'unix seconds' });
    }
    const expected = Buffer.from(signIntake(this.deps.settings.secret, timestamp, rawBody));
    const given = Buffer.from(signature ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AppError('intake_signature_invalid', { header: SIGNATURE_HEADER });
    }
    const skew = Math.abs(this.deps.clock().getTime() / 1000 - Number(timestamp));
    if (skew > this.deps.settings.maxSkewSeconds) {
      throw new AppError('intake_stale', { maxSkewSeconds: this.deps.settings.maxSkewSeconds });
    }
  }

  /** Submits the request once per ticket (see the module comment). */
  async receive(input: IntakeInput): Promise<{ visit: Visit; created: boolean }> {
    if (!this.enabled) throw new AppError('intake_disabled');
    const hash = createHash('sha256').update(canonicalJson(input)).digest('hex');
    return this.deps.visits.submitOnce(input, hash, INTAKE_ACTOR);
  }
}
