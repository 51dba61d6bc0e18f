/**
 * The lifecycle every module of the service follows (after zigbee2mqtt's extensions): the
 * constructor only stores what it is given, `start()` does the I/O, `stop()` undoes it, and
 * `health()` says how it is doing. The composition root starts each module in its own try/catch.
 */

export interface ModuleHealth {
  state: 'ok' | 'degraded' | 'down' | 'stopped';
  detail?: string;
}

export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): ModuleHealth;
}
