/** Request schemas of badges and badge enrolment by tap. */
import { query, str } from './shared.js';

const kind = { type: 'string', enum: ['staff', 'visitor'] } as const;

export const listBadgesQuery = query({
  kind,
  available: { type: 'string', enum: ['true', 'false'] },
});

export const newBadgeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['uid', 'label', 'kind'],
  properties: {
    uid: str(40),
    label: str(60),
    kind,
    userId: { type: ['string', 'null'], maxLength: 64 },
  },
} as const;

export const newEnrolmentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['label', 'kind'],
  properties: {
    label: str(60),
    kind,
    userId: { type: ['string', 'null'], maxLength: 64 },
  },
} as const;
