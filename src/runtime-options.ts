/** What the composition root (app.ts) is built from, and how it keeps its modules. */
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import type { TimeSyncCheck } from './door/clock-guard.js';
import type { DoorTimers } from './door/timers.js';
import type { Lifecycle } from './lifecycle.js';

export interface RuntimeOptions {
  config: Config;
  logger?: Logger;
  clock?: () => Date;
  /** Skip listen(): tests drive the HTTP app with inject(). */
  listen?: boolean;
  /** Prints the first-start setup token; defaults to the log. */
  announceSetupToken?: (token: string) => void;
  /** Prints the embedded MQTT broker's dashboard login the one time it is made; defaults to the log. */
  announceBrokerLogin?: (login: { username: string; password: string }, url: string) => void;
  /** The door's timers and monotonic clock; real ones unless a test steps time by hand. */
  doorTimers?: DoorTimers;
  /** Is the system's time synchronised? timedatectl / chrony unless a test says. */
  timeSynchronised?: TimeSyncCheck;
}

export interface Module {
  name: string;
  optional: boolean;
  module: Lifecycle;
  /**
   * Started before the door loads its saved mode: the lines it drives and the pass keys it uses.
   * Everything that can command the door (readers, MQTT) starts after, so nothing acts on the
   * default mode when the saved one is lockdown.
   */
  beforeDoor?: boolean;
}
