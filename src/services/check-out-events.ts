/** The journal events of one check-out: the step itself and each of its exceptions. */
import type { DeviceReconciliation } from '../domain/check-out.js';
import type { EventInput } from '../domain/events.js';
import { type Actor, actorRef, type Badge, type Visit } from '../domain/types.js';

const ref = (d: { type: string; model: string; serial: string }) => ({
  type: d.type,
  model: d.model,
  serial: d.serial,
});

export function checkOutEvents(
  before: Visit,
  after: Visit,
  badge: Badge | null,
  rec: DeviceReconciliation,
  actor: Actor,
  ktpKeptReason: string,
): EventInput[] {
  const by = actorRef(actor);
  const co = after.checkOut;
  const events: EventInput[] = [
    {
      type: 'visit.checked_out',
      data: {
        visitId: after.id,
        exitAt: co?.exitAt,
        devicesOut: after.devicesOut.map((d) => ({ ...ref(d), unexpected: !!d.unexpected })),
        devicesLeftInside: rec.leftInside.map(ref),
        badgeReturned: co?.badgeReturned ?? true,
        ktpReturned: co?.ktpReturned ?? true,
        by,
      },
    },
  ];
  for (const d of rec.unexpected) {
    events.push({
      type: 'visit.device_unexpected',
      data: { visitId: after.id, device: ref(d), note: d.unexpected?.note, confirmedBy: by },
    });
  }
  for (const d of rec.leftInside) {
    events.push({
      type: 'visit.device_left_inside',
      data: { visitId: after.id, device: ref(d), note: d.note, confirmedBy: by },
    });
  }
  if (badge?.lost && !before.checkOut) {
    events.push({
      type: 'badge.lost',
      data: {
        badgeId: badge.id,
        badge: badge.label,
        visitId: after.id,
        note: badge.lost.note,
        confirmedBy: by,
      },
    });
  }
  const held = before.ktp && !before.ktp.returnedAt;
  if (held && after.ktp?.returnedAt) {
    events.push({ type: 'ktp.returned', data: { visitId: after.id, tray: after.ktp.tray, late: false, by } });
  } else if (co && !co.ktpReturned) {
    events.push({
      type: 'ktp.kept',
      data: {
        visitId: after.id,
        tray: after.ktp?.tray ?? null,
        reason: after.ktp?.keptReason ?? ktpKeptReason,
        by,
      },
    });
  }
  return events;
}
