/** A pass as the API shows it: no token, no personal numbers; links to its printable images. */
import type { PassRecord } from '../../services/pass-service.js';

/** Where a pass is printed. URLs carry only the pass id, never personal data. */
export function passLinks(id: string): { png: string; svg: string } {
  return { png: `/api/passes/${id}.png`, svg: `/api/passes/${id}.svg` };
}

export function publicPass(p: PassRecord) {
  return {
    id: p.id,
    visitId: p.visitId,
    badgeId: p.badgeId,
    notBefore: p.notBefore,
    expiresAt: p.expiresAt,
    issuedAt: p.issuedAt,
    issuedBy: p.issuedBy,
    revoked: p.revoked,
    links: passLinks(p.id),
  };
}
