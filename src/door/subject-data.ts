/** The journal's view of who tapped and who a grant let in: names and ids, no UIDs in full. */
import type { Admission, Subject } from '../domain/access-policy.js';
import type { AdmissionData, SubjectData } from '../domain/events.js';

export function subjectData(s: Subject): SubjectData {
  if (s.kind === 'staff') {
    return {
      kind: 'staff',
      badgeId: s.badge.id,
      badge: s.badge.label,
      userId: s.user.id,
      name: s.user.displayName,
    };
  }
  return {
    kind: 'visitor',
    badgeId: s.badge.id,
    badge: s.badge.label,
    visitId: s.visit.id,
    name: s.visit.visitor.name,
  };
}

export function publicAdmission(a: Admission): AdmissionData {
  return {
    badgeId: a.badgeId,
    kind: a.kind,
    userId: a.userId,
    visitId: a.visitId,
    name: a.name,
    ...(a.escortedBy ? { escortedBy: a.escortedBy } : {}),
  };
}
