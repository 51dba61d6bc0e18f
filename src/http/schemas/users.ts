/** Request schemas of sign-in, first-start setup and user management. */
import { str } from './shared.js';

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
