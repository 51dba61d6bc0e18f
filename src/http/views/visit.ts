/** A visit as the API and the console show it: personal numbers masked, next steps per role. */
import { maskNik, maskPhone } from '../../domain/nik.js';
import type { Actor, Visit } from '../../domain/types.js';
import { availableSteps } from '../../domain/visit-lifecycle.js';

export function publicVisit(v: Visit, role?: Actor['role']) {
  const { visitor, ...rest } = v;
  return {
    ...rest,
    visitor: {
      name: visitor.name,
      organisation: visitor.organisation,
      nikMasked: maskNik(visitor.nik),
      phoneMasked: maskPhone(visitor.phone),
    },
    ...(role && role !== 'system' ? { nextSteps: availableSteps(v, role) } : {}),
  };
}
