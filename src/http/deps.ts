/** What the HTTP app is built from. Each route plugin takes only the part of it that it uses. */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { DoorController } from '../door/door-controller.js';
import type { SimInput, SimReader } from '../hardware/sim/sim-drivers.js';
import type { BadgeService } from '../services/badge-service.js';
import type { EnrolmentService } from '../services/enrolment-service.js';
import type { IntakeService } from '../services/intake-service.js';
import type { KtpLedger } from '../services/ktp-ledger.js';
import type { PassService } from '../services/pass-service.js';
import type { RollCallService } from '../services/roll-call-service.js';
import type { UserService } from '../services/user-service.js';
import type { VisitService } from '../services/visit-service.js';
import type { Journal } from '../store/journal.js';

export interface SimHardware {
  readers: Map<string, SimReader>;
  doorContact: SimInput;
  exitButton: SimInput;
}

export interface AppDeps {
  config: Config;
  logger: Logger;
  visits: VisitService;
  users: UserService;
  badges: BadgeService;
  door: DoorController;
  journal: Journal;
  sim: SimHardware | null;
  health: () => Record<string, unknown> & { ok: boolean };
  /** One-time first-start token; null once a user exists. */
  setup: { token: string | null };
  clock: () => Date;
  /** QR passes; absent or null: the pass routes answer that the service is not running. */
  passes?: PassService | null;
  /** Where sessions persist across restarts (token hashes only); absent: memory only. */
  sessionFile?: string;
  /** Badge enrolment by tap; absent: the enrolment routes answer that no enrol reader is configured. */
  enrolments?: EnrolmentService;
  // Issue #8: the procedure's exceptions and the console's data APIs.
  ktp: KtpLedger;
  intake: IntakeService;
  rollCalls: RollCallService;
}
