/**
 * Simulated door hardware: readers you tap from code or the API, a relay that records its
 * switching, and inputs you set. They stand in for GPIO lines that cannot exist on a build
 * machine, behind the same interfaces as the real drivers.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ModuleHealth } from '../../lifecycle.js';
import type { Credential, CredentialReader, DigitalInput, ReaderFeedback, Relay } from '../interfaces.js';

/** The lifecycle every simulated part shares: nothing to open, only a running flag. */
class SimPart<Events extends Record<keyof Events, unknown[]>> extends EventEmitter<Events> {
  protected running = false;

  constructor(readonly id: string) {
    super();
  }

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  health(): ModuleHealth {
    return { state: this.running ? 'ok' : 'stopped', detail: 'simulated' };
  }
}

export class SimReader extends SimPart<{ credential: [Credential] }> implements CredentialReader {
  readonly feedbackLog: ReaderFeedback[] = [];

  feedback(result: ReaderFeedback): void {
    this.feedbackLog.push(result);
    if (this.feedbackLog.length > 100) this.feedbackLog.shift();
  }

  /** Presents a credential as if a card were held to the reader. */
  present(kind: Credential['kind'], value: string): void {
    if (!this.running) throw new Error(`reader ${this.id} is not running`);
    this.emit('credential', { kind, value, readerId: this.id });
  }
}

export class SimRelay implements Relay {
  private unlocked = false;
  private running = false;
  /** Every switch with its monotonic time, for tests and the bench. */
  readonly switches: { unlocked: boolean; mono: number }[] = [];

  constructor(readonly id: string) {}

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.set(false);
    this.running = false;
  }

  health(): ModuleHealth {
    return { state: this.running ? 'ok' : 'stopped', detail: 'simulated' };
  }

  set(unlocked: boolean): void {
    if (unlocked === this.unlocked) return;
    this.unlocked = unlocked;
    this.switches.push({ unlocked, mono: performance.now() });
    if (this.switches.length > 1000) this.switches.shift();
  }

  get(): boolean {
    return this.unlocked;
  }
}

export class SimInput extends SimPart<{ change: [boolean] }> implements DigitalInput {
  private value = false;

  read(): boolean {
    return this.value;
  }

  set(value: boolean): void {
    if (value === this.value) return;
    this.value = value;
    this.emit('change', value);
  }

  /** A momentary press (exit button). */
  pulse(): void {
    this.set(true);
    this.set(false);
  }
}
