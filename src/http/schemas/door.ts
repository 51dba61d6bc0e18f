/** Request schemas of the door, the journal and the simulated hardware. */
import { optionalTextRef, query, reasonBody, str } from './shared.js';

export const modeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['mode'],
  properties: {
    mode: { type: 'string', enum: ['normal', 'lockdown', 'emergency_release'] },
    reason: optionalTextRef,
  },
} as const;

/** A remote unlock bypasses the procedure: who asks says why (journaled). */
export const unlockBody = reasonBody(true);

/** A superadmin confirms the wall clock: the reason is required (it is journaled). */
export const clockConfirmBody = reasonBody(true);

export const occupancyClearBody = {
  type: 'object',
  additionalProperties: false,
  properties: { badgeId: str(64) },
} as const;

export const journalQuery = query({
  after: { type: 'string', pattern: '^[0-9]{1,15}$' },
  limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
});

export const simTapBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reader'],
  properties: {
    reader: str(32),
    uid: str(40),
    qr: str(2000),
    genuine: {
      type: 'boolean',
      description:
        'NFC: true (default) a genuine NTAG 424 DNA badge of this site; false a card that answers with its UID only (a plain card, or a clone of a badge)',
    },
  },
  oneOf: [{ required: ['uid'] }, { required: ['qr'] }],
} as const;

export const simDoorBody = {
  type: 'object',
  additionalProperties: false,
  required: ['open'],
  properties: { open: { type: 'boolean' } },
} as const;
