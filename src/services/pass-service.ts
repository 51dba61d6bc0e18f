/**
 * QR passes: signed tokens a visitor may show at the door instead of the issued badge. A pass is
 * bound to its visit's issued badge, so once resolved it goes through the same escort rule and
 * anti-passback as the card itself.
 *
 * The Ed25519 key pair is made on first start in <dataDir>/keys; the private key (mode 600) never
 * leaves that directory and is never logged. Pass records (not the tokens: a token is re-signed on
 * render, Ed25519 being deterministic) live in <dataDir>/passes.json.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { type DenyReason, gracedWindow, isAdmittable } from '../domain/access-policy.js';
import { AppError } from '../domain/errors.js';
import { encodePass, type PassRejection, verifyPass } from '../domain/qr-pass.js';
import { type Actor, actorRef } from '../domain/types.js';
import type { Credential } from '../hardware/interfaces.js';
import type { Lifecycle, ModuleHealth } from '../lifecycle.js';
import { DurableJSONFile, readFileOrNull, writeFileDurably } from '../store/durable-file.js';
import type { Journal } from '../store/journal.js';
import type { StateStore } from '../store/state-store.js';

export interface PassRecord {
  id: string;
  visitId: string;
  /** The badge the visit held when the pass was issued; the pass opens the door as that badge. */
  badgeId: string;
  notBefore: string;
  expiresAt: string;
  issuedAt: string;
  issuedBy: { id: string; name: string };
  revoked: { at: string; by: { id: string; name: string }; reason: string | null } | null;
}

/** A pass ready to print: the views in src/http render it as PNG or SVG. */
export interface PrintablePass {
  token: string;
  pass: PassRecord;
  /** The visitor's name and organisation; null if the visit is no longer on record. */
  holder: { name: string; organisation: string } | null;
}

interface PassFile {
  version: 1;
  passes: PassRecord[];
}

export interface PassServiceDeps {
  dataDir: string;
  store: StateStore;
  journal: Journal;
  clock: () => Date;
  /** The door admits a visit this many minutes either side of its window; a default pass matches. */
  windowGraceMinutes: number;
  /** The door's id, signed into every pass: a pass for one door opens no other. */
  doorId?: string;
  logger?: Logger;
}

export type Resolution = { uid: string } | { deny: DenyReason; detail?: string };

const REJECTION: Record<PassRejection, DenyReason> = {
  malformed: 'pass_malformed',
  bad_signature: 'pass_bad_signature',
  not_yet_valid: 'pass_not_yet_valid',
  expired: 'pass_expired',
};

/** Records of passes expired this long are dropped at start: their tokens are refused anyway. */
const PRUNE_AFTER_MS = 30 * 86_400_000;

const by = actorRef;

export class PassService implements Lifecycle {
  private privateKey: KeyObject | null = null;
  private publicKeyObj: KeyObject | null = null;
  private readonly passes = new Map<string, PassRecord>();
  private readonly file: DurableJSONFile<PassFile>;
  private readonly keyDir: string;
  private running = false;
  private startError: string | null = null;

  constructor(private readonly deps: PassServiceDeps) {
    this.file = new DurableJSONFile<PassFile>(join(deps.dataDir, 'passes.json'));
    this.keyDir = join(deps.dataDir, 'keys');
  }

  get privateKeyPath(): string {
    return join(this.keyDir, 'pass-signing.key');
  }

  get publicKeyPath(): string {
    return join(this.keyDir, 'pass-signing.pub');
  }

  async start(): Promise<void> {
    try {
      this.loadOrCreateKeys();
      const data = await this.file.read();
      if (data && data.version !== 1)
        throw new Error(`passes.json has unknown version ${String(data.version)}`);
      const cutoff = this.deps.clock().getTime() - PRUNE_AFTER_MS;
      let pruned = 0;
      for (const p of data?.passes ?? []) {
        if (new Date(p.expiresAt).getTime() < cutoff) pruned++;
        else this.passes.set(p.id, p);
      }
      if (pruned) await this.save();
      this.running = true;
      this.startError = null;
    } catch (err) {
      this.startError = (err as Error).message;
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  health(): ModuleHealth {
    if (this.running) return { state: 'ok', detail: `${this.passes.size} passes` };
    return this.startError ? { state: 'down', detail: this.startError } : { state: 'stopped' };
  }

  private loadOrCreateKeys(): void {
    mkdirSync(this.keyDir, { recursive: true, mode: 0o700 });
    const pem = readFileOrNull(this.privateKeyPath);
    let priv: KeyObject;
    if (pem === null) {
      const pair = generateKeyPairSync('ed25519');
      priv = pair.privateKey;
      // writeFileDurably creates the file with mode 600 before any byte is written.
      writeFileDurably(this.privateKeyPath, priv.export({ type: 'pkcs8', format: 'pem' }) as string);
      this.deps.logger?.info({ fingerprint: fingerprint(pair.publicKey) }, 'pass signing key created');
    } else {
      const mode = statSync(this.privateKeyPath).mode & 0o777;
      if (mode !== 0o600) {
        chmodSync(this.privateKeyPath, 0o600);
        this.deps.logger?.warn({ mode: mode.toString(8) }, 'pass signing key was not mode 600; tightened');
      }
      priv = createPrivateKey(pem);
      if (priv.asymmetricKeyType !== 'ed25519') throw new Error('pass signing key is not Ed25519');
    }
    const pub = createPublicKey(priv);
    const pubPem = pub.export({ type: 'spki', format: 'pem' }) as string;
    // The public half is derived from the private key every start; the file is only for export.
    if (readFileOrNull(this.publicKeyPath) !== pubPem) writeFileDurably(this.publicKeyPath, pubPem);
    chmodSync(this.publicKeyPath, 0o644);
    this.privateKey = priv;
    this.publicKeyObj = pub;
  }

  private keys(): { priv: KeyObject; pub: KeyObject } {
    if (!this.privateKey || !this.publicKeyObj) throw new AppError('internal', { module: 'passes' });
    return { priv: this.privateKey, pub: this.publicKeyObj };
  }

  publicKey(): { algorithm: 'Ed25519'; pem: string; raw: string; fingerprint: string } {
    const { pub } = this.keys();
    const der = pub.export({ type: 'spki', format: 'der' });
    return {
      algorithm: 'Ed25519',
      pem: pub.export({ type: 'spki', format: 'pem' }) as string,
      // The 32 raw key bytes are the SPKI DER's tail.
      raw: der.subarray(der.length - 32).toString('base64url'),
      fingerprint: fingerprint(pub),
    };
  }

  get(id: string): PassRecord {
    const p = this.passes.get(id);
    if (!p) throw new AppError('pass_not_found', { passId: id });
    return p;
  }

  list(filter: { visitId?: string | undefined } = {}): PassRecord[] {
    return [...this.passes.values()]
      .filter((p) => !filter.visitId || p.visitId === filter.visitId)
      .sort((a, b) => b.issuedAt.localeCompare(a.issuedAt));
  }

  private save(): Promise<void> {
    return this.file.write({ version: 1, passes: [...this.passes.values()] });
  }

  /** Writes the records, then journals; a journal refusal puts the records back (nothing changed). */
  private async commit(
    rec: PassRecord,
    before: PassRecord | undefined,
    event: Parameters<Journal['append']>[0],
  ) {
    this.passes.set(rec.id, rec);
    try {
      await this.save();
    } catch (err) {
      if (before) this.passes.set(rec.id, before);
      else this.passes.delete(rec.id);
      throw new AppError('store_unavailable', { cause: (err as Error).message });
    }
    try {
      this.deps.journal.append(event);
    } catch {
      if (before) this.passes.set(rec.id, before);
      else this.passes.delete(rec.id);
      await this.save().catch(() => undefined);
      throw new AppError('journal_unavailable');
    }
  }

  /**
   * Issues a pass for a visit holding its badge (badge_issued, or in_progress for a return). The
   * window defaults to the visit window widened by the door's grace, and may only be narrowed.
   */
  async issue(
    visitId: string,
    input: { notBefore?: string | undefined; expiresAt?: string | undefined },
    actor: Actor,
  ): Promise<PassRecord> {
    return this.deps.store.exclusive(async () => {
      this.keys();
      const visit = this.deps.store.visit(visitId);
      if (!visit) throw new AppError('visit_not_found', { visitId });
      if (!isAdmittable(visit)) {
        throw new AppError('illegal_step', { step: 'issue_pass', state: visit.state });
      }
      const badge = visit.badgeId ? this.deps.store.badge(visit.badgeId) : undefined;
      if (!badge?.active || badge.visitId !== visit.id) {
        throw new AppError('precondition_failed', { step: 'issue_pass', rule: 'visit_holds_no_badge' });
      }
      // The door's own graced window, rounded inwards to whole seconds (the token's resolution).
      const window = gracedWindow(visit, this.deps.windowGraceMinutes);
      const earliest = Math.ceil(window.startMs / 1000) * 1000;
      const latest = Math.floor(window.endMs / 1000) * 1000;
      const nb = input.notBefore ? Date.parse(input.notBefore) : earliest;
      const exp = input.expiresAt ? Date.parse(input.expiresAt) : latest;
      if (!Number.isFinite(nb) || !Number.isFinite(exp) || nb < earliest || exp > latest || exp <= nb) {
        throw new AppError('window_invalid', {
          rule: 'pass window must lie within the visit window (with grace) and end after it starts',
          earliest: new Date(earliest).toISOString(),
          latest: new Date(latest).toISOString(),
        });
      }
      if (exp <= this.deps.clock().getTime()) {
        throw new AppError('window_invalid', { rule: 'pass window is already over' });
      }
      const now = this.deps.clock().toISOString();
      const rec: PassRecord = {
        id: `pas_${randomBytes(8).toString('hex')}`,
        visitId: visit.id,
        badgeId: badge.id,
        notBefore: new Date(Math.ceil(nb / 1000) * 1000).toISOString(),
        expiresAt: new Date(Math.floor(exp / 1000) * 1000).toISOString(),
        issuedAt: now,
        issuedBy: by(actor),
        revoked: null,
      };
      await this.commit(rec, undefined, {
        type: 'pass.issued',
        data: {
          passId: rec.id,
          visitId: rec.visitId,
          badgeId: rec.badgeId,
          notBefore: rec.notBefore,
          expiresAt: rec.expiresAt,
          by: rec.issuedBy,
        },
      });
      return rec;
    });
  }

  async revoke(id: string, reason: string | null | undefined, actor: Actor): Promise<PassRecord> {
    return this.deps.store.exclusive(async () => {
      const before = this.get(id);
      if (before.revoked) return before; // revoking twice changes nothing
      const rec: PassRecord = {
        ...before,
        revoked: { at: this.deps.clock().toISOString(), by: by(actor), reason: reason?.trim() || null },
      };
      await this.commit(rec, before, {
        type: 'pass.revoked',
        data: {
          passId: rec.id,
          visitId: rec.visitId,
          by: by(actor),
          ...(rec.revoked?.reason ? { reason: rec.revoked.reason } : {}),
        },
      });
      return rec;
    });
  }

  /** The QR text of a live pass (re-signed: the same bytes every time). */
  token(id: string): string {
    const p = this.get(id);
    if (p.revoked) throw new AppError('pass_revoked', { passId: id });
    return encodePass(
      {
        passId: p.id,
        visitId: p.visitId,
        notBefore: new Date(p.notBefore),
        expiresAt: new Date(p.expiresAt),
      },
      this.keys().priv,
      this.deps.doorId ?? '',
    );
  }

  /** What a printed pass shows: its QR text (refused once revoked), the record, and its holder. */
  printable(id: string): PrintablePass {
    const token = this.token(id);
    const pass = this.get(id);
    const visit = this.deps.store.visit(pass.visitId);
    return {
      token,
      pass,
      holder: visit ? { name: visit.visitor.name, organisation: visit.visitor.organisation } : null,
    };
  }

  /**
   * The door's resolver for QR credentials: offline (public key, local records), synchronous and
   * total — any fault denies.
   */
  resolve(c: Credential, now: Date, latestTrusted?: Date): Resolution {
    try {
      if (!this.running || !this.publicKeyObj) return { deny: 'pass_invalid', detail: 'passes_unavailable' };
      const v = verifyPass(c.value, this.publicKeyObj, now, this.deps.doorId ?? '');
      if (!v.ok) {
        // The pass id is only worth recording once the signature vouches for it.
        return { deny: REJECTION[v.reason], detail: v.claims ? v.claims.passId : v.detail };
      }
      // A clock set back does not revive a pass: expired by the latest trusted time is expired.
      if (latestTrusted && latestTrusted.getTime() > v.claims.expiresAt.getTime()) {
        return { deny: 'pass_expired', detail: v.claims.passId };
      }
      const { passId, visitId } = v.claims;
      const rec = this.passes.get(passId);
      if (rec?.revoked) return { deny: 'pass_revoked', detail: passId };
      const visit = this.deps.store.visit(visitId);
      if (!visit) return { deny: 'pass_unknown_visit', detail: passId };
      // Signed by this key but not on record (a restored data dir): not honoured.
      if (!rec || rec.visitId !== visitId) return { deny: 'pass_revoked', detail: `${passId} not_on_record` };
      const badge = this.deps.store.badge(rec.badgeId);
      if (!badge) return { deny: 'unknown_credential', detail: passId };
      if (badge.visitId !== visit.id || visit.badgeId !== badge.id) {
        return { deny: 'visit_not_active', detail: `${passId} badge_returned` };
      }
      return { uid: badge.uid };
    } catch {
      return { deny: 'pass_invalid', detail: 'resolver_error' };
    }
  }
}

export function fingerprint(pub: KeyObject): string {
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}
