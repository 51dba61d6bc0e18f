/** Request schemas of the procedure steps. Every object rejects unknown fields. */
import { VISIT_STATES } from '../../domain/types.js';
import { isoDate, optionalTextRef, query, str } from './shared.js';

export const device = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'model', 'serial'],
  properties: { type: str(60), model: str(120), serial: str(80) },
} as const;

export const listVisitsQuery = query({
  state: { type: 'string', enum: [...VISIT_STATES] },
  from: {
    type: 'string',
    maxLength: 40,
    description: 'Window start on or after: YYYY-MM-DD (a WIB day) or ISO date-time',
  },
  to: {
    type: 'string',
    maxLength: 40,
    description: 'Window start on or before: YYYY-MM-DD (the whole WIB day) or ISO date-time',
  },
  q: {
    type: 'string',
    maxLength: 100,
    description: 'Text in visitor name, organisation, letter number or ticket (any case)',
  },
  // Query strings are not coerced (coerceTypes: false): numbers arrive as digits.
  limit: {
    type: 'string',
    pattern: '^(?:[1-9]|[1-9][0-9]|1[0-9][0-9]|200)$',
    description: '1–200, default 50',
  },
  offset: { type: 'string', pattern: '^[0-9]{1,7}$', description: 'Rows to skip, default 0' },
});

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
    /** Where the KTP is kept (tray, drawer): the custody ledger lists it there until it is returned. */
    ktpTray: { type: ['string', 'null'], maxLength: 40 },
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
    badgeReturned: {
      type: 'boolean',
      description:
        'false (lost, taken home): superadmin only, with badgeNote; the badge is deactivated and marked lost',
    },
    badgeNote: optionalTextRef,
    ktpReturned: {
      type: 'boolean',
      description:
        'false: the office keeps the KTP (ktpKeptReason required); return it later with POST /api/visits/{id}/ktp-return',
    },
    ktpKeptReason: optionalTextRef,
    devicesLeft: {
      type: 'array',
      maxItems: 50,
      description: 'Every device brought in and not carried out (a server being installed), each with a note',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['serial', 'note'],
        properties: { serial: str(80), note: optionalTextRef },
      },
    },
    confirmLeftRoom: { type: 'boolean' },
    note: optionalTextRef,
  },
} as const;
