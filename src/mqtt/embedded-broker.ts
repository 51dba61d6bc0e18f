/**
 * The in-process broker used when no broker URL is configured: aedes (MQTT 3.1.1) on a loopback
 * port, so a dashboard or mosquitto_sub can subscribe with no other setup.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';

export class EmbeddedBroker {
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  async start(): Promise<void> {
    const broker = await Aedes.createBroker();
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      broker.handle(socket);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.port, this.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await new Promise<void>((r) => broker.close(() => r()));
      throw new Error(
        `embedded MQTT broker cannot listen on ${this.host}:${this.port}: ${(err as Error).message}`,
      );
    }
    const addr = server.address();
    this.boundPort = addr && typeof addr === 'object' ? addr.port : this.port;
    this.broker = broker;
    this.server = server;
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `mqtt://${host}:${this.boundPort}`;
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  async stop(): Promise<void> {
    const server = this.server;
    const broker = this.broker;
    this.server = null;
    this.broker = null;
    if (server) {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of this.sockets) s.destroy();
      await closed;
    }
    if (broker) await new Promise<void>((r) => broker.close(() => r()));
  }
}
