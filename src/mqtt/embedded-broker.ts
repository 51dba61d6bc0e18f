/**
 * The in-process broker used when no broker URL is configured: aedes (MQTT 3.1.1) on a loopback
 * port, so a dashboard or mosquitto_sub can subscribe with no other setup.
 *
 * Who may do what:
 * - the door's own client logs in with credentials made up at start and known only to this
 *   process (`doorLogin`); a client that claims the door's client id without them is refused, so
 *   nobody can take over the door's session;
 * - with `users` configured, a client that logs in with them is authenticated; a wrong password
 *   is refused;
 * - anyone else connects anonymously and may subscribe (read-only as far as the door goes).
 * Publishing: `<base>/<door>/request/...` only by the door and authenticated clients; anything else
 * under `<base>/<door>/` (events, state, availability, responses) and this door's discovery configs
 * only by the door. Other topics are open, as on any local broker.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** `<base>/<door>`: the door's own topics. */
  root: string;
  /** The door's client id: refused to anyone but the door. */
  doorClientId: string;
  /** This door's discovery config topics start with one of these (`<prefix>/<component>/<node>/`). */
  discoveryNode?: { prefix: string; node: string };
  /** Credentials that make a client authenticated (may send requests); null: nobody can. */
  users?: { username: string; password: string } | null;
  /** An error on the listening socket after start (EMFILE on accept, …): reported, not thrown. */
  onError?: (err: Error) => void;
}

type Role = 'door' | 'user' | 'anonymous';

/** aedes' AuthErrorCode is a const enum in its typings, which isolated modules cannot read. */
const BAD_USERNAME_OR_PASSWORD = 4;
const IDENTIFIER_REJECTED = 2;

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

function sameSecret(given: Buffer | string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.isBuffer(given) ? given : Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class EmbeddedBroker {
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly roles = new WeakMap<Client, Role>();
  private boundPort = 0;
  /** The last error of the listening socket after start; null while none. */
  lastError: string | null = null;
  /** What the door's own client logs in with: made up here, never configured or logged. */
  readonly doorLogin = {
    username: `jurukunci-door-${randomBytes(6).toString('hex')}`,
    password: randomBytes(24).toString('base64url'),
  };

  constructor(private readonly opts: EmbeddedBrokerOptions) {}

  /** Whether `topic` may be published by a client with `role`. */
  mayPublish(role: Role, topic: string): boolean {
    if (role === 'door') return true;
    const root = `${this.opts.root}/`;
    if (topic === this.opts.root || topic.startsWith(root)) {
      return role === 'user' && topic.startsWith(`${root}request/`);
    }
    const d = this.opts.discoveryNode;
    if (d && topic.startsWith(`${d.prefix}/`)) {
      // <prefix>/<component>/<node>/...: this door's discovery configs are the door's.
      const parts = topic.split('/');
      if (parts.length >= 3 && parts[2] === d.node) return false;
    }
    return true;
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): AuthenticateError | Role {
    const users = this.opts.users ?? null;
    if (username === this.doorLogin.username) {
      return sameSecret(password, this.doorLogin.password)
        ? 'door'
        : authError('bad user name or password', BAD_USERNAME_OR_PASSWORD);
    }
    // Nobody else may use the door's client id: aedes would hand them the door's session.
    if (client.id === this.opts.doorClientId)
      return authError('client id reserved for the door', IDENTIFIER_REJECTED);
    if (username === undefined || username === '') return 'anonymous';
    if (users && username === users.username && sameSecret(password, users.password)) return 'user';
    // A wrong login is refused rather than quietly made anonymous: the client should know.
    if (users) return authError('bad user name or password', BAD_USERNAME_OR_PASSWORD);
    return 'anonymous';
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker({
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
        // client null: the broker's own messages ($SYS).
        if (client === null) return done(null);
        const role = this.roles.get(client) ?? 'anonymous';
        if (this.mayPublish(role, packet.topic)) return done(null);
        done(new Error(`not authorised to publish to ${packet.topic}`));
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
