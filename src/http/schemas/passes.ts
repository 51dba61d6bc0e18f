/** Request schemas of QR passes. */
import { isoDate, optionalTextRef, query, str } from './shared.js';

export const passParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^pas_[0-9a-f]{16}$' } },
} as const;

export const issuePassBody = {
  type: 'object',
  additionalProperties: false,
  properties: { notBefore: isoDate, expiresAt: isoDate },
} as const;

export const revokePassBody = {
  type: 'object',
  additionalProperties: false,
  properties: { reason: optionalTextRef },
} as const;

export const listPassesQuery = query({ visitId: str(64) });
