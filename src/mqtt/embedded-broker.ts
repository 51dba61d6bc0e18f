/**
 * The embedded broker, used when no broker URL is configured: aedes (MQTT 3.1.1) on a loopback
 * port. It runs in its own process (broker-main.ts, supervised by broker-supervisor.ts), so no
 * client can take the door's heap, and what it queues outlives a door that crashed.
 *
 * Nobody connects anonymously. Who may do what (an ACL; anything not listed is refused):
 * - the door (`door` login, made at first start, known only to the door and this broker; the door's
 *   client id is refused to anyone else, so nobody can take over its session): publishes its own
 *   topics (`<base>/<door>/...`) and this door's Home Assistant discovery configs, subscribes to
 *   those;
 * - the dashboard (`dashboard` login, made at first start or configured): subscribes to
 *   `<base>/#` and the discovery prefix; publishes nothing;
 * - each configured operator (its id and key): the same reads, and publishes requests
 *   (`<base>/<door>/request/<command>`, not retained) — which the door still verifies by signature;
 * - nobody subscribes to or publishes `$SYS/...`: a forged `$SYS/<id>/new/clients` would make aedes
 *   disconnect the client it names, the door's own included.
 * Retained and queued messages are bounded per client and in total (broker-limits.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import {
  type BrokerLimits,
  boundedPersistence,
  DEFAULT_BROKER_LIMITS,
  type QueueStats,
  RetainedLedger,
} from './broker-limits.js';

export interface BrokerLogin {
  username: string;
  password: string;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** The base topic: the dashboard and operators read `<base>/#`. */
  base: string;
  /** `<base>/<door>`: the door's own topics. */
  root: string;
  /** The door's client id: refused to anyone but the door. */
  doorClientId: string;
  /** This door's discovery config topics start with `<prefix>/<component>/<node>/`. */
  discoveryNode?: { prefix: string; node: string };
  door: BrokerLogin;
  dashboard: BrokerLogin;
  /** Operators log in with their id and key, and may publish requests. */
  operators?: readonly BrokerLogin[];
  limits?: Partial<BrokerLimits>;
  /** An error on the listening socket after start (EMFILE on accept, …): reported, not thrown. */
  onError?: (err: Error) => void;
  /** A message not queued for a client whose queue is full (logged by the caller, rate-limited). */
  onQueueFull?: (clientId: string) => void;
}

export type BrokerRole = 'door' | 'dashboard' | 'operator';

/** aedes' AuthErrorCode is a const enum in its typings, which isolated modules cannot read. */
const BAD_USERNAME_OR_PASSWORD = 4;
const IDENTIFIER_REJECTED = 2;
const NOT_AUTHORIZED = 5;

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

function sameSecret(given: Buffer | string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.isBuffer(given) ? given : Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const within = (topic: string, root: string) => topic === root || topic.startsWith(`${root}/`);

export class EmbeddedBroker {
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly roles = new WeakMap<Client, BrokerRole>();
  private readonly limits: BrokerLimits;
  private readonly retained: RetainedLedger;
  private queues: QueueStats = { queued: 0, queuedBytes: 0, dropped: 0 };
  private boundPort = 0;
  /** The last error of the listening socket after start; null while none. */
  lastError: string | null = null;
  /** Publishes and subscriptions refused by the ACL or the limits (health, tests). */
  refused = 0;

  constructor(private readonly opts: EmbeddedBrokerOptions) {
    this.limits = { ...DEFAULT_BROKER_LIMITS, ...(opts.limits ?? {}) };
    this.retained = new RetainedLedger(this.limits);
  }

  private isDiscoveryOfThisDoor(topic: string): boolean {
    const d = this.opts.discoveryNode;
    if (!d || !topic.startsWith(`${d.prefix}/`)) return false;
    // <prefix>/<component>/<node>/...
    const parts = topic.split('/');
    return parts.length >= 4 && parts[2] === d.node && !parts.includes('+') && !parts.includes('#');
  }

  /** Whether a client with `role` may publish to `topic` (retained or not). */
  mayPublish(role: BrokerRole, topic: string, retain: boolean): boolean {
    if (topic.startsWith('$')) return false;
    if (role === 'door') return within(topic, this.opts.root) || this.isDiscoveryOfThisDoor(topic);
    if (role === 'operator') {
      const rest = topic.startsWith(`${this.opts.root}/request/`)
        ? topic.slice(this.opts.root.length + 9)
        : null;
      // One level: <root>/request/<command>. A retained request would run on every reconnect.
      return rest !== null && rest.length > 0 && !rest.includes('/') && !retain;
    }
    return false;
  }

  /** Whether a client with `role` may subscribe to the filter `filter`. */
  maySubscribe(role: BrokerRole, filter: string): boolean {
    if (filter.startsWith('$')) return false;
    const prefix = this.opts.discoveryNode?.prefix;
    if (role === 'door') return within(filter, this.opts.root) || (!!prefix && within(filter, prefix));
    return within(filter, this.opts.base) || (!!prefix && within(filter, prefix));
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): AuthenticateError | BrokerRole {
    const bad = authError('bad user name or password', BAD_USERNAME_OR_PASSWORD);
    if (username === this.opts.door.username)
      return sameSecret(password, this.opts.door.password) ? 'door' : bad;
    // Nobody else may use the door's client id: aedes would hand them the door's session.
    if (client.id === this.opts.doorClientId)
      return authError('client id reserved for the door', IDENTIFIER_REJECTED);
    if (username === undefined || username === '')
      return authError('anonymous clients are not accepted', NOT_AUTHORIZED);
    if (username === this.opts.dashboard.username)
      return sameSecret(password, this.opts.dashboard.password) ? 'dashboard' : bad;
    const op = this.opts.operators?.find((o) => o.username === username);
    if (op) return sameSecret(password, op.password) ? 'operator' : bad;
    return bad;
  }

  async start(): Promise<void> {
    const { persistence, stats } = boundedPersistence(this.limits, (id) => this.opts.onQueueFull?.(id));
    this.queues = stats;
    const broker = await Aedes.createBroker({
      persistence,
      authenticate: (client, username, password, done) => {
        const r = this.authenticate(client, username, password);
        if (typeof r === 'string') {
          this.roles.set(client, r);
          done(null, true);
        } else {
          done(r, false);
        }
      },
      authorizePublish: (client, packet, done) => {
        // client null: the broker's own messages ($SYS heartbeat, wills are the client's).
        if (client === null) return done(null);
        const role = this.roles.get(client);
        const ok =
          role !== undefined &&
          this.mayPublish(role, packet.topic, packet.retain) &&
          (!packet.retain || this.retained.admit(client.id, packet.topic, packet.payload.length));
        if (ok) return done(null);
        this.refused++;
        // MQTT 3.1.1 has no negative PUBACK: aedes closes the connection.
        done(new Error(`not authorised to publish to ${packet.topic}`));
      },
      authorizeSubscribe: (client, sub, done) => {
        const role = this.roles.get(client);
        if (role !== undefined && this.maySubscribe(role, sub.topic)) return done(null, sub);
        this.refused++;
        done(null, null); // SUBACK 0x80 for this filter
      },
    });
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      broker.handle(socket);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.opts.port, this.opts.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      await new Promise<void>((r) => broker.close(() => r()));
      throw new Error(
        `embedded MQTT broker cannot listen on ${this.opts.host}:${this.opts.port}: ${(err as Error).message}`,
      );
    }
    // After listen, an error (EMFILE on accept, …) must not become an uncaught exception that
    // takes the door down with it: report it, keep serving whoever is connected.
    server.on('error', (err) => {
      this.lastError = err.message;
      this.opts.onError?.(err);
    });
    const addr = server.address();
    this.boundPort = addr && typeof addr === 'object' ? addr.port : this.opts.port;
    this.broker = broker;
    this.server = server;
  }

  get url(): string {
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    return `mqtt://${host}:${this.boundPort}`;
  }

  /** Retained messages held, and the queues of persistent sessions. */
  get holdings(): { retained: number } & QueueStats {
    return { retained: this.retained.count, ...this.queues };
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  /** The listening server, for tests that inject a socket error. */
  get netServer(): Server | null {
    return this.server;
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
