/**
 * Service levels from the SOP: submit→verify within 15 minutes, verify→decision within 10.
 * Durations come from each visit's recorded transitions, and none is ever negative.
 */
import type { Visit, VisitState } from './types.js';

export interface SlaTargets {
  submitToVerifyMinutes: number;
  verifyToDecisionMinutes: number;
}

export interface VisitSla {
  visitId: string;
  state: VisitState;
  /** Seconds spent in each state that the visit has left (or is in, up to now). */
  secondsInState: Partial<Record<VisitState, number>>;
  submitToVerifySeconds: number | null;
  verifyToDecisionSeconds: number | null;
  breaches: ('submit_to_verify' | 'verify_to_decision')[];
}

export function visitSla(visit: Visit, targets: SlaTargets, now: Date): VisitSla {
  const secondsInState: Partial<Record<VisitState, number>> = {};
  const h = visit.history;
  for (let i = 0; i < h.length; i++) {
    const t = h[i]!;
    const next = h[i + 1];
    const end = next ? new Date(next.at).getTime() : now.getTime();
    const s = Math.max(0, (end - new Date(t.at).getTime()) / 1000);
    secondsInState[t.to] = (secondsInState[t.to] ?? 0) + s;
  }
  const at = (step: string) => h.find((t) => t.step === step)?.at;
  const submitted = at('submit');
  const verified = at('verify');
  const decided = at('approve') ?? at('reject');
  // Never negative: a clock set back between two steps (src/domain/clock-trust.ts) makes the later
  // step look earlier; it took no time we can measure, not less than none.
  const diff = (a?: string, b?: string) =>
    a && b ? Math.max(0, (new Date(b).getTime() - new Date(a).getTime()) / 1000) : null;
  let s2v = diff(submitted, verified);
  let v2d = diff(verified, decided);
  const breaches: VisitSla['breaches'] = [];
  // A step still waiting counts against its target too.
  const pendingS2v =
    s2v ?? (visit.state === 'submitted' && submitted ? diff(submitted, now.toISOString()) : null);
  const pendingV2d =
    v2d ?? (visit.state === 'verified' && verified ? diff(verified, now.toISOString()) : null);
  if (pendingS2v !== null && pendingS2v > targets.submitToVerifyMinutes * 60)
    breaches.push('submit_to_verify');
  if (pendingV2d !== null && pendingV2d > targets.verifyToDecisionMinutes * 60)
    breaches.push('verify_to_decision');
  s2v = s2v === null ? null : Math.round(s2v);
  v2d = v2d === null ? null : Math.round(v2d);
  for (const k of Object.keys(secondsInState) as VisitState[])
    secondsInState[k] = Math.round(secondsInState[k]!);
  return {
    visitId: visit.id,
    state: visit.state,
    secondsInState,
    submitToVerifySeconds: s2v,
    verifyToDecisionSeconds: v2d,
    breaches,
  };
}

export interface SlaSummary {
  targets: SlaTargets;
  count: number;
  submitToVerify: {
    measured: number;
    medianSeconds: number | null;
    maxSeconds: number | null;
    breaches: number;
  };
  verifyToDecision: {
    measured: number;
    medianSeconds: number | null;
    maxSeconds: number | null;
    breaches: number;
  };
  visits: VisitSla[];
}

function stats(values: number[]) {
  if (values.length === 0) return { medianSeconds: null, maxSeconds: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { medianSeconds: median, maxSeconds: sorted[sorted.length - 1]! };
}

export function slaSummary(visits: Visit[], targets: SlaTargets, now: Date): SlaSummary {
  const rows = visits.map((v) => visitSla(v, targets, now));
  const s2v = rows.map((r) => r.submitToVerifySeconds).filter((x): x is number => x !== null);
  const v2d = rows.map((r) => r.verifyToDecisionSeconds).filter((x): x is number => x !== null);
  return {
    targets,
    count: rows.length,
    submitToVerify: {
      measured: s2v.length,
      ...stats(s2v),
      breaches: rows.filter((r) => r.breaches.includes('submit_to_verify')).length,
    },
    verifyToDecision: {
      measured: v2d.length,
      ...stats(v2d),
      breaches: rows.filter((r) => r.breaches.includes('verify_to_decision')).length,
    },
    visits: rows,
  };
}
