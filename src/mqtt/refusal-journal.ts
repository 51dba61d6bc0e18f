/**
 * Journals refused MQTT commands (`command.refused`) at a bounded rate. A refusal costs whoever
 * sends it nothing, so an unbounded record would let any client with broker access fill the
 * journal: up to `perMinute` refusals a minute are journaled, the rest are counted and the count
 * rides on the next one journaled (`suppressed`). A journal that cannot write does not change the
 * refusal: it is logged.
 */
import type { Logger } from 'pino';
import type { EventData } from '../domain/events.js';
import type { Journal } from '../store/journal.js';

export class RefusalJournal {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly journal: Journal,
    private readonly clock: () => Date,
    private readonly logger: Logger,
    private readonly perMinute = 30,
  ) {}

  record(data: Omit<EventData['command.refused'], 'via' | 'suppressed'>): void {
    const now = this.clock().getTime();
    if (now - this.windowStart >= 60_000 || now < this.windowStart) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow >= this.perMinute) {
      this.suppressed++;
      return;
    }
    this.inWindow++;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    try {
      this.journal.append({
        type: 'command.refused',
        data: { via: 'mqtt', ...data, ...(suppressed > 0 ? { suppressed } : {}) },
      });
    } catch (err) {
      this.suppressed += suppressed;
      this.logger.warn({ err: (err as Error).message }, 'mqtt command refusal not journaled');
    }
  }
}
