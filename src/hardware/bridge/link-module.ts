/**
 * The bridge link as one module of the service: /healthz shows it once (session, firmware,
 * faults, drops by reason), and it holds the link for the whole run, so the devices on it (relay,
 * inputs, Wiegand reader) starting and stopping around it never reopen the port.
 */
import type { Lifecycle, ModuleHealth } from '../../lifecycle.js';
import type { BridgeLink } from './link.js';

export class BridgeLinkModule implements Lifecycle {
  constructor(readonly link: BridgeLink) {}

  start(): Promise<void> {
    return this.link.acquire();
  }

  stop(): Promise<void> {
    return this.link.release();
  }

  health(): ModuleHealth {
    const h = this.link.health();
    const s = this.link.stats;
    if (h.state === 'stopped') return h;
    return { ...h, detail: `${h.detail ?? ''}; frames in ${s.framesIn}, sessions ${s.sessions}` };
  }
}
