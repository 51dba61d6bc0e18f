/** The language of a response: `?lang=` first, then Accept-Language; Indonesian unless asked. */
import type { FastifyRequest } from 'fastify';
import type { Lang } from '../domain/errors.js';

export function langOf(req: FastifyRequest): Lang {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  if (q === 'en' || q === 'id') return q;
  const h = req.headers['accept-language'];
  return typeof h === 'string' && /^en\b/i.test(h.trim()) ? 'en' : 'id';
}
