/**
 * The data the console pages take. Shapes follow the domain (src/domain/types.ts) with personal
 * data already masked the way the JSON API's publicVisit() masks it: pages never see a full NIK or
 * phone number, and never import services.
 */
import type { Visit } from '../../domain/types.js';

export interface MaskedVisitor {
  name: string;
  organisation: string;
  nikMasked: string;
  phoneMasked: string;
}

/** A visit as the console shows it: what services/visit-service.ts publicVisit() returns. */
export type ConsoleVisit = Omit<Visit, 'visitor'> & { visitor: MaskedVisitor };

/** Staff names by user id, for "verified by", escorts and history. */
export type NameOf = (userId: string) => string;
