/** Request schemas of the procedure steps. Every object rejects unknown fields. */
import { isoDate, optionalTextRef, query, str } from './shared.js';

export const device = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'model', 'serial'],
  properties: { type: str(60), model: str(120), serial: str(80) },
} as const;

export const listVisitsQuery = query({ state: { type: 'string', maxLength: 20 } });

export const slaQuery = query({ archive: { type: 'string', enum: ['true', 'false'] } });

export const submitBody = {
  type: 'object',
  additionalProperties: false,
  required: ['visitor', 'purpose', 'window', 'letterNumber'],
  properties: {
    visitor: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'nik', 'organisation', 'phone'],
      properties: {
        name: str(120),
        nik: { type: 'string', minLength: 1, maxLength: 32 },
        organisation: str(160),
        phone: { type: 'string', pattern: '^\\+?[0-9 ()-]{6,20}$' },
      },
    },
    purpose: str(500),
    window: {
      type: 'object',
      additionalProperties: false,
      required: ['start', 'end'],
      properties: { start: isoDate, end: isoDate },
    },
    letterNumber: str(80),
    ticketRef: { type: ['string', 'null'], maxLength: 80 },
    devicesIn: { type: 'array', maxItems: 50, items: device },
  },
} as const;

export const verifyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['formComplete', 'ktpHeld'],
  properties: {
    formComplete: { type: 'boolean' },
    ktpHeld: { type: 'boolean' },
    note: optionalTextRef,
  },
} as const;

export const noteBody = {
  type: 'object',
  additionalProperties: false,
  properties: { note: optionalTextRef },
} as const;

export const issueBadgeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['badgeId', 'escortIds'],
  properties: {
    badgeId: str(64),
    escortIds: { type: 'array', minItems: 1, maxItems: 10, items: str(64) },
  },
} as const;

export const checkOutBody = {
  type: 'object',
  additionalProperties: false,
  required: ['devicesOut', 'badgeReturned', 'ktpReturned'],
  properties: {
    exitAt: { ...isoDate, type: ['string', 'null'] },
    devicesOut: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'model', 'serial'],
        properties: {
          ...device.properties,
          confirmUnexpected: { type: 'boolean' },
          note: optionalTextRef,
        },
      },
    },
    badgeReturned: { type: 'boolean' },
    ktpReturned: { type: 'boolean' },
    confirmLeftRoom: { type: 'boolean' },
    note: optionalTextRef,
  },
} as const;
