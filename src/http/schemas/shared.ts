/**
 * Schema fragments every area uses. The two that repeat (the `lang` query, optional text) are added
 * once to the root instance (addSharedSchemas) and referenced by $ref, so every encapsulated plugin
 * sees them and OpenAPI lists them once under components.schemas.
 */
import type { FastifyInstance } from 'fastify';

const lang = { $id: 'lang', type: 'string', enum: ['id', 'en'] } as const;
const optionalText = { $id: 'optionalText', type: ['string', 'null'], maxLength: 500 } as const;

export function addSharedSchemas(app: FastifyInstance): void {
  for (const s of [lang, optionalText]) app.addSchema(s);
}

/** `?lang=id|en`: the language of messages in the response. */
export const langRef = { $ref: 'lang#' } as const;
/** A free-text reason or note: a string of at most 500 characters, or null. */
export const optionalTextRef = { $ref: 'optionalText#' } as const;

export const str = (max: number, min = 1) => ({ type: 'string', minLength: min, maxLength: max }) as const;
export const isoDate = { type: 'string', format: 'date-time', maxLength: 40 } as const;

/** A querystring schema: unknown parameters refused, `lang` always allowed. */
export const query = <P extends Record<string, object>>(properties: P) =>
  ({
    type: 'object',
    additionalProperties: false,
    properties: { ...properties, lang: langRef },
  }) as const;

export const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: str(64) },
} as const;

/** A body holding only a reason: required for a rejection or a cancellation, optional elsewhere. */
export const reasonBody = (required: boolean) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: required ? ['reason'] : [],
    properties: { reason: optionalTextRef },
  }) as const;
