/**
 * Every console page rendered with sample data, keyed by the path a test server serves it at.
 * Visitor-typed fields carry XSS payloads: if escaping failed, the browser test's CSP would log
 * the blocked inline handler as a console error.
 */
import type { DoorSnapshot } from '../../../src/door/door-controller.js';
import type { Html } from '../../../src/http/console/html.js';
import type { Lang } from '../../../src/http/console/i18n/index.js';
import type { PageContext, Viewer } from '../../../src/http/console/layout.js';
import { emptyCheckOutDraft } from '../../../src/http/console/pages/check-out-form.js';
import { type DoorView, doorPage } from '../../../src/http/console/pages/door.js';
import { queuePage } from '../../../src/http/console/pages/queue.js';
import { registerPage } from '../../../src/http/console/pages/register.js';
import {
  EMPTY_REQUEST,
  requestFormPage,
  requestSuccessPage,
} from '../../../src/http/console/pages/request-form.js';
import { rollCallPage } from '../../../src/http/console/pages/roll-call.js';
import { setupPage, signInPage } from '../../../src/http/console/pages/sign-in.js';
import { visitDetailPage } from '../../../src/http/console/pages/visit-detail.js';
import type { ConsoleVisit } from '../../../src/http/console/view-types.js';

export const NOW = '2025-03-04T03:00:00.000Z';
export const XSS = '<img src=x onerror="alert(1)">"\'`';

export function ctx(path: string, role: Viewer, lang: Lang = 'id'): PageContext {
  return {
    lang,
    role,
    csrfToken: 'csrf-token-123',
    path,
    user: role ? { displayName: role === 'superadmin' ? 'Sri Rahayu' : 'Agus Salim' } : null,
    flash: [],
    timeZone: 'Asia/Jakarta',
    now: NOW,
  };
}

export function sampleVisit(over: Partial<ConsoleVisit> = {}): ConsoleVisit {
  return {
    id: 'V-2025-0042',
    state: 'submitted',
    visitor: {
      name: `Budi ${XSS}`,
      organisation: 'PT Contoh',
      nikMasked: '3319**********01',
      phoneMasked: '081*******89',
    },
    purpose: `Ganti disk server ${XSS}`,
    window: { start: '2025-03-04T02:00:00.000Z', end: '2025-03-04T05:00:00.000Z' },
    letterNumber: '005/123/2025',
    ticketRef: 'HD-991',
    devicesIn: [
      { type: 'Laptop', model: 'ThinkPad T14', serial: 'SN-LAP-1' },
      { type: 'Disk', model: 'WD Red 4TB', serial: 'SN-DSK-7' },
    ],
    devicesOut: [],
    badgeId: null,
    escortIds: [],
    verification: null,
    decision: null,
    firstEntryAt: null,
    checkOut: null,
    history: [
      {
        step: 'submit',
        from: null,
        to: 'submitted',
        at: '2025-03-04T02:40:00.000Z',
        by: { id: 'u1', name: 'Agus Salim' },
      },
    ],
    createdAt: '2025-03-04T02:40:00.000Z',
    updatedAt: '2025-03-04T02:40:00.000Z',
    ...over,
  };
}

export function sampleDoor(): DoorView {
  const snapshot: DoorSnapshot = {
    door: 'server-room',
    lock: 'locked',
    contact: 'closed',
    mode: 'normal',
    inside: [
      {
        badgeId: 'b1',
        kind: 'staff',
        userId: 'u1',
        visitId: null,
        name: 'Agus Salim',
        since: '2025-03-04T02:30:00.000Z',
      },
      {
        badgeId: 'b9',
        kind: 'visitor',
        userId: null,
        visitId: 'V-2025-0040',
        name: `Sari ${XSS}`,
        since: '2025-03-04T02:31:00.000Z',
        escortedBy: ['u1'],
      },
    ],
    pending: [{ badgeId: 'b7', kind: 'visitor', awaiting: 'escort' }],
    alarms: { forced: false, heldOpen: true },
  };
  return {
    snapshot,
    names: { u1: 'Agus Salim' },
    badgeLabels: { b7: 'Tamu 7' },
    recentTaps: [
      {
        at: '2025-03-04T02:59:00.000Z',
        reader: 'entry',
        name: null,
        outcome: 'deny',
        reason: 'unknown_credential',
      },
      { at: '2025-03-04T02:31:00.000Z', reader: 'entry', name: 'Sari', outcome: 'grant' },
    ],
  };
}

/** path → rendered page. */
export function samplePages(): Map<string, { name: string; html: Html }> {
  const pages = new Map<string, { name: string; html: Html }>();
  const add = (path: string, name: string, page: Html) => pages.set(path, { name, html: page });
  add('/console/sign-in', 'sign-in', signInPage(ctx('/console/sign-in', null), { username: XSS }));
  add(
    '/console/setup',
    'setup',
    setupPage(ctx('/console/setup', null), { errors: { token: 'Token salah' } }),
  );
  add('/console/request', 'request-form', requestFormPage(ctx('/console/request', null)));
  add(
    '/console/request-errors',
    'request-form-errors-en',
    requestFormPage(ctx('/console/request', null, 'en'), {
      values: {
        ...EMPTY_REQUEST,
        name: XSS,
        nik: '123',
        devices: [
          { type: 'Laptop', model: '', serial: '' },
          { type: '', model: '', serial: '' },
        ],
      },
      errors: { nik: 'A NIK is exactly 16 digits', phone: 'Required', 'device-0-model': 'Fill in the row' },
    }),
  );
  add(
    '/console/request-done',
    'request-success',
    requestSuccessPage(ctx('/console/request', null), { requestNumber: 'V-2025-0042' }),
  );
  add(
    '/console/queue',
    'queue',
    queuePage(ctx('/console/queue', 'admin'), {
      query: XSS,
      sla: { submitToVerifyMinutes: 15, verifyToDecisionMinutes: 10 },
      rows: [
        {
          id: 'V1',
          state: 'submitted',
          visitorName: `Budi ${XSS}`,
          organisation: 'PT Contoh',
          purpose: 'Ganti disk',
          window: { start: '2025-03-04T02:00:00Z', end: '2025-03-04T05:00:00Z' },
          submittedAt: '2025-03-04T02:40:00Z',
          verifiedAt: null,
        },
        {
          id: 'V2',
          state: 'submitted',
          visitorName: 'Citra',
          organisation: 'Bappeda',
          purpose: 'Audit',
          window: { start: '2025-03-04T03:00:00Z', end: '2025-03-04T04:00:00Z' },
          submittedAt: '2025-03-04T02:57:00Z',
          verifiedAt: null,
        },
        {
          id: 'V3',
          state: 'verified',
          visitorName: 'Dedi',
          organisation: 'Telkom',
          purpose: 'Kabel',
          window: { start: '2025-03-04T03:00:00Z', end: '2025-03-04T04:00:00Z' },
          submittedAt: '2025-03-04T02:30:00Z',
          verifiedAt: '2025-03-04T02:45:00Z',
        },
        {
          id: 'V4',
          state: 'in_progress',
          visitorName: 'Eko',
          organisation: 'Vendor',
          purpose: 'Servis UPS',
          window: { start: '2025-03-04T01:00:00Z', end: '2025-03-04T04:00:00Z' },
          submittedAt: '2025-03-04T00:30:00Z',
          verifiedAt: '2025-03-04T00:40:00Z',
        },
      ],
    }),
  );
  const base = {
    names: { u1: 'Agus Salim', u2: 'Sri Rahayu' },
    freeBadges: [{ id: 'b3', label: 'Tamu 3' }],
    escorts: [
      { id: 'u1', displayName: 'Agus Salim' },
      { id: 'u2', displayName: 'Sri Rahayu' },
    ],
  };
  add(
    '/console/visits/verify',
    'visit-verify',
    visitDetailPage(ctx('/console/visits/V-2025-0042', 'admin'), {
      ...base,
      visit: sampleVisit(),
      nextSteps: ['verify', 'cancel'],
      viewer: { id: 'u1', role: 'admin' },
      nikCheck: { ok: true, sex: 'F', birthDate: { day: 12, month: 5, yy: 90 } },
    }),
  );
  const verified = sampleVisit({
    state: 'verified',
    verification: {
      formComplete: true,
      ktpHeld: true,
      nikChecked: true,
      by: 'u2',
      at: '2025-03-04T02:45:00Z',
    },
  });
  add(
    '/console/visits/decide-own',
    'visit-decide-separation',
    visitDetailPage(ctx('/console/visits/V-2025-0042', 'superadmin'), {
      ...base,
      visit: verified,
      nextSteps: [],
      viewer: { id: 'u2', role: 'superadmin' },
      nikCheck: null,
      ktpTray: 'L-04',
    }),
  );
  add(
    '/console/visits/badge',
    'visit-issue-badge',
    visitDetailPage(ctx('/console/visits/V-2025-0042', 'admin'), {
      ...base,
      visit: {
        ...verified,
        state: 'approved',
        decision: { approved: true, by: 'u3', at: '2025-03-04T02:50:00Z', reason: null },
      },
      nextSteps: ['issue_badge', 'cancel'],
      viewer: { id: 'u1', role: 'admin' },
      nikCheck: null,
    }),
  );
  const inside = sampleVisit({
    state: 'in_progress',
    badgeId: 'b3',
    escortIds: ['u1'],
    firstEntryAt: '2025-03-04T02:55:00Z',
  });
  add(
    '/console/visits/check-out',
    'visit-check-out',
    visitDetailPage(ctx('/console/visits/V-2025-0042', 'admin'), {
      ...base,
      visit: inside,
      nextSteps: ['check_out'],
      viewer: { id: 'u1', role: 'admin' },
      nikCheck: null,
      draft: {
        checkOut: {
          ...emptyCheckOutDraft(inside.devicesIn),
          carried: [true, false],
          extra: [{ type: 'Disk', model: 'Seagate', serial: `SN-NEW-${XSS}` }],
        },
      },
      errors: { 'confirm-0': 'Wajib diisi' },
    }),
  );
  add('/console/door', 'door-superadmin', doorPage(ctx('/console/door', 'superadmin'), sampleDoor()));
  add(
    '/console/register',
    'register',
    registerPage(ctx('/console/register', 'admin'), {
      filters: { from: '2025-03-01', to: '2025-03-04', state: '', q: XSS },
      page: 2,
      pageCount: 3,
      total: 52,
      rows: [
        {
          id: 'V1',
          state: 'closed',
          visitorName: `Budi ${XSS}`,
          organisation: 'PT Contoh',
          nikMasked: '3319**********01',
          purpose: 'Ganti disk',
          window: { start: '2025-03-03T02:00:00Z', end: '2025-03-03T05:00:00Z' },
          firstEntryAt: '2025-03-03T02:10:00Z',
          exitAt: '2025-03-03T03:10:00Z',
          escortNames: ['Agus Salim'],
          devicesIn: 2,
          devicesOut: 1,
        },
        {
          id: 'V2',
          state: 'rejected',
          visitorName: 'Citra',
          organisation: 'Bappeda',
          nikMasked: '3319**********02',
          purpose: 'Audit',
          window: { start: '2025-03-02T02:00:00Z', end: '2025-03-02T03:00:00Z' },
          firstEntryAt: null,
          exitAt: null,
          escortNames: [],
          devicesIn: 0,
          devicesOut: 0,
        },
      ],
    }),
  );
  add(
    '/console/roll-call',
    'roll-call',
    rollCallPage(ctx('/console/roll-call', 'admin'), {
      inside: sampleDoor().snapshot.inside,
      names: { u1: 'Agus Salim' },
      organisations: { 'V-2025-0040': 'PT Contoh' },
    }),
  );
  return pages;
}
