/**
 * Builds the credential reader for one `readers[]` config entry. Real drivers are imported lazily,
 * on start(), so a configuration that does not use one never loads its package (or native addon);
 * the simulated reader stays the default. Add a driver: one entry in LOADERS. The bridge's Wiegand
 * reader is the exception: it rides the door hardware's bridge link, built with it.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ReaderConfig } from '../config/schema.js';
import type { Ntag424KeyMaterial } from '../domain/credential-keys.js';
import type { ModuleHealth } from '../lifecycle.js';
import { BridgeWiegandReader } from './bridge/devices.js';
import type { BridgeLink } from './bridge/link.js';
import type { Credential, CredentialReader, ReaderFeedback } from './interfaces.js';
import { SimReader } from './sim/sim-drivers.js';

export interface ReaderFactoryContext {
  logger: Logger;
  /** The firmware bridge's link, when hardware.driver is bridge: bridge-wiegand readers share it. */
  bridge?: BridgeLink | null;
  /** NFC readers: this site's NTAG 424 DNA keys, asked at each tap (null: UID only). */
  nfcKeys?: () => Ntag424KeyMaterial | null;
}

type Loader = (cfg: ReaderConfig, ctx: ReaderFactoryContext) => Promise<CredentialReader>;

const LOADERS: Partial<Record<ReaderConfig['driver'], Loader>> = {
  'qr-serial': async (cfg, ctx) => {
    const { SerialQrScanner } = await import('./qr/serial-scanner.js');
    // The schema requires it for qr-serial and fills in its defaults; the type cannot say that
    // `serial` goes with `driver: 'qr-serial'`.
    if (!cfg.serial) throw new Error(`reader ${cfg.id}: the qr-serial driver needs its serial options`);
    return new SerialQrScanner(cfg.id, cfg.serial, ctx.logger.child({ module: `reader:${cfg.id}` }));
  },
  nfc: async (cfg, ctx) => {
    const { createNfcReader } = await import('./nfc/index.js');
    return createNfcReader(cfg, ctx.logger, ctx.nfcKeys);
  },
};

export function createReader(cfg: ReaderConfig, ctx: ReaderFactoryContext): CredentialReader {
  if (cfg.driver === 'bridge-wiegand') {
    // Not lazy: the bridge's code is loaded with the door hardware, and its link already exists.
    // Validation requires hardware.driver bridge for this reader (src/config/bridge-rules.ts).
    if (!ctx.bridge)
      throw new Error(`reader ${cfg.id}: the bridge-wiegand driver needs hardware.driver bridge`);
    return new BridgeWiegandReader(cfg.id, ctx.bridge, ctx.logger.child({ module: `reader:${cfg.id}` }));
  }
  const load = LOADERS[cfg.driver];
  if (!load) return new SimReader(cfg.id);
  return new LazyReader(cfg.id, () => load(cfg, ctx));
}

/**
 * Stands in for a driver until start() has imported and built it, then forwards its credentials,
 * feedback, health and lifecycle. The composition root can wire it to the door before any I/O.
 */
export class LazyReader extends EventEmitter<{ credential: [Credential] }> implements CredentialReader {
  private inner: CredentialReader | null = null;
  private loadError: string | null = null;
  private readonly forward = (c: Credential) => this.emit('credential', c);

  constructor(
    readonly id: string,
    private readonly load: () => Promise<CredentialReader>,
  ) {
    super();
  }

  /** The driver once started (tests reach through to it). */
  get driver(): CredentialReader | null {
    return this.inner;
  }

  async start(): Promise<void> {
    if (!this.inner) {
      try {
        this.inner = await this.load();
        this.loadError = null;
      } catch (err) {
        this.loadError = (err as Error).message;
        throw err;
      }
      this.inner.on('credential', this.forward);
    }
    await this.inner.start();
  }

  async stop(): Promise<void> {
    await this.inner?.stop();
  }

  health(): ModuleHealth {
    if (this.inner) return this.inner.health();
    return this.loadError ? { state: 'down', detail: this.loadError } : { state: 'stopped' };
  }

  feedback(result: ReaderFeedback): void {
    this.inner?.feedback(result);
  }
}
