/** JSON schemas for request bodies. Every object rejects unknown fields. */
const str = (max: number, min = 1) => ({ type: 'string', minLength: min, maxLength: max }) as const;
const isoDate = { type: 'string', format: 'date-time', maxLength: 40 } as const;

export const device = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'model', 'serial'],
  properties: { type: str(60), model: str(120), serial: str(80) },
} as const;

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
    note: { type: ['string', 'null'], maxLength: 500 },
  },
} as const;

export const reasonBody = (required: boolean) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: required ? ['reason'] : [],
    properties: { reason: { type: ['string', 'null'], maxLength: 500 } },
  }) as const;

export const noteBody = {
  type: 'object',
  additionalProperties: false,
  properties: { note: { type: ['string', 'null'], maxLength: 500 } },
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
          note: { type: ['string', 'null'], maxLength: 500 },
        },
      },
    },
    badgeReturned: { type: 'boolean' },
    ktpReturned: { type: 'boolean' },
    confirmLeftRoom: { type: 'boolean' },
    note: { type: ['string', 'null'], maxLength: 500 },
  },
} as const;

export const loginBody = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password'],
  properties: { username: str(64), password: str(200) },
} as const;

export const role = { type: 'string', enum: ['admin', 'superadmin'] } as const;

export const newUserBody = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'displayName', 'role', 'password'],
  properties: {
    username: str(32, 3),
    displayName: str(120),
    role,
    escort: { type: 'boolean', default: false },
    password: str(200, 10),
  },
} as const;

export const setupBody = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'username', 'displayName', 'password'],
  properties: {
    token: str(128),
    username: str(32, 3),
    displayName: str(120),
    password: str(200, 10),
    escort: { type: 'boolean', default: true },
  },
} as const;

export const patchUserBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    displayName: str(120),
    role,
    escort: { type: 'boolean' },
    active: { type: 'boolean' },
    password: str(200, 10),
  },
} as const;

export const newBadgeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['uid', 'label', 'kind'],
  properties: {
    uid: str(40),
    label: str(60),
    kind: { type: 'string', enum: ['staff', 'visitor'] },
    userId: { type: ['string', 'null'], maxLength: 64 },
  },
} as const;

export const modeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['mode'],
  properties: {
    mode: { type: 'string', enum: ['normal', 'lockdown', 'emergency_release'] },
    reason: { type: ['string', 'null'], maxLength: 500 },
  },
} as const;

export const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: str(64) },
} as const;

export const simTapBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reader'],
  properties: { reader: str(32), uid: str(40), qr: str(2000) },
  oneOf: [{ required: ['uid'] }, { required: ['qr'] }],
} as const;

export const simDoorBody = {
  type: 'object',
  additionalProperties: false,
  required: ['open'],
  properties: { open: { type: 'boolean' } },
} as const;

export const occupancyClearBody = {
  type: 'object',
  additionalProperties: false,
  properties: { badgeId: str(64) },
} as const;
