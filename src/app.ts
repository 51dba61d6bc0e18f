/**
 * Composition root: builds every module from the configuration, starts them in order and stops
 * them in reverse. An optional module that fails to start is reported in health and the door
 * keeps running; the journal, the store and the door itself are required.
 */

import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import type { DoorAccessSettings } from './domain/access-policy.js';
import { wireBridgeAlarms } from './door/bridge-alarms.js';
import { DoorController } from './door/door-controller.js';
import { systemTimeSynchronised } from './door/time-sync.js';
import { buildDoorHardware, type DoorHardware } from './hardware/door-hardware.js';
import type { CredentialReader, DigitalInput, Relay } from './hardware/interfaces.js';
import { createReader } from './hardware/reader-factory.js';
import { SimReader } from './hardware/sim/sim-drivers.js';
import { buildApp, type SimHardware } from './http/app.js';
import type { ModuleHealth } from './lifecycle.js';
import { createLogger } from './logger.js';
import { MqttModule } from './mqtt/mqtt-module.js';
import type { Module, RuntimeOptions } from './runtime-options.js';
import { BadgeService } from './services/badge-service.js';
import { CredentialKeysService } from './services/credential-keys-service.js';
import { EnrolmentService } from './services/enrolment-service.js';
import { IntakeService } from './services/intake-service.js';
import { KtpLedger } from './services/ktp-ledger.js';
import { PassService } from './services/pass-service.js';
import { RollCallService } from './services/roll-call-service.js';
import { UserService } from './services/user-service.js';
import { VisitService } from './services/visit-service.js';
import { CheckpointWriter } from './store/checkpoint-writer.js';
import { diskHealth } from './store/disk-reserve.js';
import { DoorStateFile } from './store/door-state.js';
import { Journal } from './store/journal.js';
import { pruneJournal } from './store/journal-retention.js';
import { recoverOutboxAtStart } from './store/outbox.js';
import { refuseStateLostBehindJournal } from './store/state-file-error.js';
import { StateStore } from './store/state-store.js';
import { VERSION } from './version.js';

export type { RuntimeOptions } from './runtime-options.js';

export class Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly store: StateStore;
  readonly journal: Journal;
  readonly door: DoorController;
  readonly visits: VisitService;
  readonly users: UserService;
  readonly badges: BadgeService;
  readonly ktp: KtpLedger;
  readonly intake: IntakeService;
  readonly rollCalls: RollCallService;
  readonly passes: PassService;
  /** The NFC master key (genuine badges) and what the site accepts; its health says if insecure. */
  readonly credentialKeys: CredentialKeysService;
  readonly sim: SimHardware | null;
  /** Relay and inputs of the configured driver; `hardware.sim` holds the simulated lines. */
  readonly hardware: DoorHardware;
  readonly relay: Relay;
  readonly readers: { reader: CredentialReader; role: 'entry' | 'exit' }[];
  /** Readers with role enrol: they feed badge enrolment only. */
  readonly enrolReaders: CredentialReader[];
  readonly enrolments: EnrolmentService;
  readonly setup: { token: string | null } = { token: null };
  http: FastifyInstance | null = null;
  /** Null when mqtt.enabled is false. */
  readonly mqtt: MqttModule | null = null;
  private readonly modules: Module[] = [];
  private readonly failed = new Map<string, string>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  readyMs = 0;

  constructor(private readonly opts: RuntimeOptions) {
    this.config = opts.config;
    this.logger = opts.logger ?? createLogger(opts.config.log.level);
    this.clock = opts.clock ?? (() => new Date());
    const dataDir = resolve(opts.config.dataDir);
    this.store = new StateStore(dataDir);
    this.journal = new Journal({
      dir: join(dataDir, 'journal'),
      door: opts.config.doorId,
      maxFileBytes: opts.config.journal.maxFileBytes,
      clock: this.clock,
    });

    // Hardware: one driver family per config (sim by default), behind the same interfaces.
    this.hardware = buildDoorHardware(opts.config.hardware, {
      logger: this.logger.child({ module: 'gpio' }),
    });
    const { relay, doorContact, exitButton, fireAlarm, tamper } = this.hardware;
    const simLines = this.hardware.sim;
    const simReaders = new Map<string, SimReader>();
    // Genuine NFC badges: the master key is read (or made) before the readers start.
    const nfc = opts.config.credentials.nfc;
    this.credentialKeys = new CredentialKeysService({
      dataDir,
      nfc,
      nfcReaders: opts.config.readers.some((r) => r.driver === 'nfc'),
      clock: this.clock,
      logger: this.logger.child({ module: 'credential-keys' }),
    });
    const nfcKeys = () => this.credentialKeys.material();
    const builtReaders = opts.config.readers.map((r) => {
      const reader = createReader(r, {
        logger: this.logger,
        bridge: this.hardware.bridge?.link ?? null,
        nfcKeys,
      });
      if (reader instanceof SimReader) simReaders.set(r.id, reader);
      return { reader, role: r.role };
    });
    // Enrol readers bind badges at the desk: they never reach the door controller.
    this.readers = builtReaders.flatMap(({ reader, role }) => (role === 'enrol' ? [] : [{ reader, role }]));
    this.enrolReaders = builtReaders.filter((r) => r.role === 'enrol').map((r) => r.reader);
    this.relay = relay;
    this.sim = simLines
      ? { readers: simReaders, doorContact: simLines.doorContact, exitButton: simLines.exitButton }
      : null;
    const inputs: DigitalInput[] = [doorContact, exitButton];

    this.passes = new PassService({
      dataDir,
      store: this.store,
      journal: this.journal,
      clock: this.clock,
      windowGraceMinutes: opts.config.access.windowGraceMinutes,
      doorId: opts.config.doorId,
      logger: this.logger.child({ module: 'passes' }),
    });
    const access: DoorAccessSettings = { ...opts.config.access, nfcAccept: nfc.accept };
    this.door = new DoorController({
      settings: {
        unlockSeconds: opts.config.door.unlockSeconds,
        heldOpenSeconds: opts.config.door.heldOpenSeconds,
        remoteUnlockRoles: opts.config.door.remoteUnlockRoles,
        access,
      },
      store: this.store,
      journal: this.journal,
      doorState: new DoorStateFile(dataDir),
      readers: this.readers,
      relay,
      doorContact,
      exitButton,
      fireAlarm,
      tamper,
      clock: this.clock,
      timeSynchronised: opts.timeSynchronised ?? systemTimeSynchronised,
      timers: opts.doorTimers,
      logger: this.logger.child({ module: 'door' }),
      resolveCredential: (c, now, latestTrusted) => this.passes.resolve(c, now, latestTrusted),
    });
    this.door.setDoorId(opts.config.doorId);
    this.visits = new VisitService({
      store: this.store,
      journal: this.journal,
      door: this.door,
      settings: opts.config.procedure,
      clock: this.clock,
      logger: this.logger.child({ module: 'visits' }),
    });
    this.intake = new IntakeService({ visits: this.visits, settings: opts.config.intake, clock: this.clock });
    this.users = new UserService({
      store: this.store,
      journal: this.journal,
      clock: this.clock,
      maxAttempts: opts.config.http.loginMaxAttempts,
    });
    this.badges = new BadgeService({
      store: this.store,
      journal: this.journal,
      clock: this.clock,
      enrolKeyVersion: () => this.credentialKeys.enrolVersion(),
    });
    this.ktp = new KtpLedger({ store: this.store, journal: this.journal, clock: this.clock });
    this.rollCalls = new RollCallService({
      door: this.door,
      journal: this.journal,
      ktp: this.ktp,
      dataDir,
      clock: this.clock,
      logger: this.logger.child({ module: 'roll-call' }),
    });
    this.enrolments = new EnrolmentService({
      badges: this.badges,
      store: this.store,
      journal: this.journal,
      clock: this.clock,
      readers: this.enrolReaders,
      timeoutSeconds: opts.config.enrolment.timeoutSeconds,
      logger: this.logger.child({ module: 'enrolment' }),
      nfcAccept: nfc.accept,
    });

    // The bridge's link first: relay, inputs and its reader share it, started once, stopped last.
    if (this.hardware.bridge) {
      this.modules.push({ name: 'bridge', optional: false, module: this.hardware.bridge, beforeDoor: true });
      wireBridgeAlarms(
        this.hardware.bridge.link,
        builtReaders,
        this.journal,
        this.logger.child({ module: 'bridge' }),
      );
    }
    this.modules.push({ name: 'relay', optional: false, module: relay, beforeDoor: true });
    for (const i of inputs) this.modules.push({ name: i.id, optional: false, module: i, beforeDoor: true });
    // Optional inputs: a fault is shown in health; the door keeps locking and exiting meanwhile.
    for (const i of [fireAlarm, tamper])
      if (i) this.modules.push({ name: i.id, optional: true, module: i, beforeDoor: true });
    this.modules.push({ name: 'passes', optional: true, module: this.passes, beforeDoor: true });
    // Signed checkpoints: the device key lives in <dataDir>/keys, apart from the journal files.
    this.modules.push({
      name: 'journal-checkpoints',
      optional: true,
      beforeDoor: true,
      module: new CheckpointWriter({
        journal: this.journal,
        door: opts.config.doorId,
        keyDir: join(dataDir, 'keys'),
        every: opts.config.journal.checkpointEvery,
        minutes: opts.config.journal.checkpointMinutes,
        logger: this.logger.child({ module: 'journal' }),
      }),
    });
    this.modules.push({ name: 'credentials', optional: true, module: this.credentialKeys, beforeDoor: true });
    for (const { reader } of builtReaders)
      this.modules.push({ name: `reader:${reader.id}`, optional: true, module: reader });
    this.modules.push({ name: 'enrolment', optional: true, module: this.enrolments });
    if (opts.config.mqtt.enabled) {
      this.mqtt = new MqttModule({
        config: opts.config.mqtt,
        doorId: opts.config.doorId,
        dataDir,
        journal: this.journal,
        door: this.door,
        clock: this.clock,
        logger: this.logger.child({ module: 'mqtt' }),
        version: VERSION,
        ...(opts.announceBrokerLogin ? { announceBrokerLogin: opts.announceBrokerLogin } : {}),
      });
      this.modules.push({ name: 'mqtt', optional: true, module: this.mqtt });
    }
  }

  async start(): Promise<void> {
    this.startedAt = performance.now();
    await this.store.start();
    const { recovered } = this.journal.start();
    if (recovered) this.logger.warn(recovered, 'journal: torn last line cut at start');
    if (this.store.startedWithoutFile) refuseStateLostBehindJournal(this.store.file, this.journal);
    await recoverOutboxAtStart(this.store, this.journal, this.logger);
    const prunedFiles = pruneJournal(this.journal, this.config.journal.retainSegments);
    if (prunedFiles.length)
      this.logger.info({ files: prunedFiles.length }, 'journal: oldest segments pruned');
    await this.startModules(this.modules.filter((m) => m.beforeDoor));
    // The visit service hears the door's grants (first entry) from the first tap on.
    this.visits.start();
    await this.door.start();
    // After the door: a roll call opens on its switch to emergency_release.
    await this.rollCalls.start();
    await this.startModules(this.modules.filter((m) => !m.beforeDoor));
    this.journal.append({ type: 'system.started', data: { version: VERSION, mode: this.door.getMode() } });

    if (!this.users.hasAnyUser()) {
      this.setup.token = randomBytes(12).toString('base64url');
      const announce =
        this.opts.announceSetupToken ??
        ((t: string) =>
          this.logger.warn(
            `no users yet: create the first superadmin with 'jurukunci user add --role superadmin' or POST /api/setup with token ${t}`,
          ));
      announce(this.setup.token);
    }

    this.http = await buildApp({
      config: this.config,
      logger: this.logger,
      visits: this.visits,
      users: this.users,
      badges: this.badges,
      ktp: this.ktp,
      intake: this.intake,
      rollCalls: this.rollCalls,
      door: this.door,
      journal: this.journal,
      sim: this.sim,
      health: () => this.health(),
      setup: this.setup,
      clock: this.clock,
      passes: this.passes,
      enrolments: this.enrolments,
      sessionFile: join(resolve(this.config.dataDir), 'sessions.json'),
    });
    if (this.opts.listen !== false) {
      await this.http.listen({ host: this.config.http.host, port: this.config.http.port });
    } else {
      await this.http.ready();
    }
    await this.runSweep();
    this.sweepTimer = setInterval(() => void this.runSweep(), 60_000);
    this.sweepTimer.unref();
    this.readyMs = performance.now() - this.startedAt;
  }

  /** Each module in its own try/catch: a broken optional feature does not stop the rest. */
  private async startModules(modules: Module[]): Promise<void> {
    for (const m of modules) {
      try {
        await m.module.start();
      } catch (err) {
        if (!m.optional) throw err;
        this.failed.set(m.name, (err as Error).message);
        this.logger.error({ err, module: m.name }, 'optional module failed to start; door keeps running');
      }
    }
  }

  private async runSweep(): Promise<void> {
    try {
      const r = await this.visits.sweep();
      if (r.expired || r.archived) this.logger.info(r, 'housekeeping');
    } catch (err) {
      this.logger.error({ err }, 'housekeeping failed');
    }
  }

  address(): string | null {
    const addr = this.http?.server.address();
    return addr && typeof addr === 'object' ? `http://${addr.address}:${addr.port}` : null;
  }

  health(): {
    ok: boolean;
    modules: Record<string, ModuleHealth>;
    /** Entry readers configured, and how many of them work (ok or degraded). */
    entryReaders: { configured: number; working: number };
    journal: ReturnType<Journal['health']>;
    door: unknown;
  } {
    const modules: Record<string, ModuleHealth> = {};
    for (const m of this.modules) {
      const failed = this.failed.get(m.name);
      modules[m.name] = failed ? { state: 'down', detail: failed } : m.module.health();
    }
    modules.door = this.door.health();
    modules.disk = diskHealth(this.store.dir, this.store.reserve);
    const journal = this.journal.health();
    // Readers are optional parts (the door starts without them), but when every entry reader is
    // down nobody can badge in: the door is not doing its job, and a monitoring probe must see it.
    const entry = this.readers.filter((r) => r.role === 'entry');
    const working = entry.filter((r) => {
      const state = modules[`reader:${r.reader.id}`]?.state;
      return state === 'ok' || state === 'degraded';
    }).length;
    const ok =
      journal.ok &&
      modules.door.state === 'ok' &&
      (entry.length === 0 || working > 0) &&
      this.modules.every((m) => m.optional || modules[m.name]?.state === 'ok');
    const snap = this.door.snapshot();
    return {
      ok,
      modules,
      entryReaders: { configured: entry.length, working },
      journal,
      door: { lock: snap.lock, contact: snap.contact, mode: snap.mode, inside: snap.inside.length },
    };
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.http?.close();
    await this.door.stop();
    this.visits.stop();
    this.rollCalls.stop();
    for (const m of [...this.modules].reverse()) {
      try {
        await m.module.stop();
      } catch (err) {
        this.logger.warn({ err, module: m.name }, 'module stop failed');
      }
    }
    try {
      this.journal.append({ type: 'system.stopped', data: {} });
    } catch {
      // stopping anyway
    }
    this.journal.stop();
  }
}
