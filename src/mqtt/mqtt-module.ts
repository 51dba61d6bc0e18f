/**
 * The MQTT feature: one lifecycle for the client connection, the journal publisher, the retained
 * state and availability (with `offline` as the last will), signed commands, Home Assistant
 * discovery and, with no broker URL, the embedded broker in its own supervised process. Optional:
 * a broker that cannot be reached shows in health and the door keeps running; the publisher
 * catches up from its cursor when it returns.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { MqttConfig } from '../config/schema.js';
import type { DoorController, DoorSnapshot } from '../door/door-controller.js';
import type { ModuleHealth } from '../lifecycle.js';
import { CursorFile } from '../store/cursor.js';
import type { Journal } from '../store/journal.js';
import { batchClientWrites } from './batched-writes.js';
import type { BrokerSupervisor } from './broker-supervisor.js';
import { CommandAuth } from './command-auth.js';
import { CommandHandler } from './commands.js';
import { discoveryMessages } from './discovery.js';
import type { BrokerLogin } from './embedded-broker.js';
import { startEmbeddedBroker } from './embedded-broker-start.js';
import { MqttConfigError } from './mqtt-config-error.js';
import { stateMessage } from './payloads.js';
import { EventPublisher } from './publisher.js';
import { assertPublishable, Topics } from './topics.js';
import type { Availability } from './types.js';

export interface MqttContext {
  config: MqttConfig;
  doorId: string;
  dataDir: string;
  journal: Journal;
  door: DoorController;
  clock: () => Date;
  logger: Logger;
  version: string;
  /** Shows the embedded broker's dashboard login the one time it is made; defaults to the log. */
  announceBrokerLogin?: (login: BrokerLogin, url: string) => void;
}

/**
 * Client options that cost nothing in behaviour but a lot per message at journal-drain rates
 * (profiled in bench/mqtt.ts): MQTT.js makes some twenty `debug` calls per publish, each checking
 * whether the namespace is enabled, unless given its own logger (kept when DEBUG asks for mqttjs);
 * and it re-arms the keepalive timer on every packet sent unless told to ping on a fixed period.
 */
export function throughputClientOptions(env: NodeJS.ProcessEnv = process.env): IClientOptions {
  const debugMqttjs = /mqttjs/.test(env.DEBUG ?? '');
  return { reschedulePings: false, ...(debugMqttjs ? {} : { log: () => {} }) };
}

/** Publish options shared by every journal message (MQTT.js copies them; none made per message). */
const QOS1: IClientPublishOptions = { qos: 1 };

/** The broker URL without credentials, for logs and health. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid url)';
  }
}

/** The CA, client certificate and key named in the config; every unreadable one listed at once. */
function readTlsFiles(cfg: MqttConfig): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const out: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  const problems: string[] = [];
  for (const k of ['ca', 'cert', 'key'] as const) {
    if (!cfg[k]) continue;
    try {
      out[k] = readFileSync(cfg[k]);
    } catch (err) {
      problems.push(`mqtt.${k} cannot be read: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new MqttConfigError(problems);
  return out;
}

export class MqttModule extends EventEmitter<{ connect: []; close: []; ready: [] }> {
  readonly topics: Topics;
  private client: MqttClient | null = null;
  private broker: BrokerSupervisor | null = null;
  private publisher: EventPublisher | null = null;
  private commands: CommandHandler | null = null;
  private brokerUrl = '';
  private lastError: string | null = null;
  private started = false;
  private subscribed = false;
  private readonly onState = (s: DoorSnapshot) => this.publishState(s);

  constructor(private readonly ctx: MqttContext) {
    super();
    this.topics = new Topics(ctx.config.baseTopic, ctx.doorId, ctx.config.discovery.prefix);
  }

  get url(): string {
    return this.brokerUrl;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  get backlog(): number {
    return this.publisher?.backlog ?? 0;
  }

  /** The embedded broker's supervisor when no URL is configured. */
  get embedded(): BrokerSupervisor | null {
    return this.broker;
  }

  get acknowledgedSeq(): number {
    return this.publisher?.acknowledgedSeq ?? 0;
  }

  /** Connected and subscribed to its request topics (SUBACK received): commands are heard. */
  get ready(): boolean {
    return this.subscribed && this.connected;
  }

  /**
   * Starts the broker (embedded), the publisher and the client. The configuration's own rules
   * were checked when it was loaded (config/mqtt-rules.ts); certificate files are read first, so
   * one that cannot be read refuses the start before any I/O. On any failure, whatever did start
   * is stopped again (no client reconnecting in the background, no broker left listening) and the
   * error is thrown.
   */
  async start(): Promise<void> {
    const cfg = this.ctx.config;
    const log = this.ctx.logger;
    const tls = readTlsFiles(cfg);
    const clientId = cfg.clientId || `jurukunci-${this.ctx.doorId}`;

    try {
      let login: { username?: string; password?: string } = {
        ...(cfg.username ? { username: cfg.username } : {}),
        ...(cfg.password ? { password: cfg.password } : {}),
      };
      if (cfg.url === '') {
        const { broker, door } = await startEmbeddedBroker({
          config: cfg,
          dataDir: this.ctx.dataDir,
          clientId,
          topics: this.topics,
          logger: log,
          ...(this.ctx.announceBrokerLogin ? { announce: this.ctx.announceBrokerLogin } : {}),
          // Held before start resolves, so a failure later in start() stops it in teardown().
          onSupervisor: (b) => (this.broker = b),
        });
        this.broker = broker;
        this.brokerUrl = broker.url;
        login = door;
      } else {
        this.brokerUrl = cfg.url;
      }

      this.commands = new CommandHandler({
        enabled: cfg.commands.enabled,
        allowed: cfg.commands.allowed,
        door: this.ctx.door,
        journal: this.ctx.journal,
        clock: this.ctx.clock,
        logger: log,
        auth: new CommandAuth({
          door: this.ctx.doorId,
          operators: cfg.operators,
          maxAgeSeconds: cfg.commands.maxAgeSeconds,
          clock: this.ctx.clock,
        }),
      });

      // The publisher (and its cursor file) before the connection: nothing to undo on the wire
      // if the cursor cannot be read, and no event is missed between connect and start.
      const isConnected = () => this.client?.connected ?? false;
      const cursor = new CursorFile(this.ctx.dataDir, 200, undefined, (err) =>
        log.error({ err: err.message }, 'mqtt cursor not saved; retrying (events may be sent again)'),
      );
      this.publisher = new EventPublisher({
        journal: this.ctx.journal,
        cursor,
        topics: this.topics,
        logger: log,
        window: cfg.maxInflight,
        sink: {
          get connected(): boolean {
            return isConnected();
          },
          publishQos1: (topic, payload, done) => {
            const c = this.client;
            if (!c) return done(new Error('mqtt client stopped'));
            // `done` straight to the client (no wrapper closure per message); PUBACK calls it.
            c.publish(topic, payload, QOS1, done);
          },
          publishRetained: (topic, payload) => this.publishRetained(topic, payload),
        },
      });
      this.publisher.start();

      const opts: IClientOptions = {
        clientId,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
        keepalive: 30,
        ...throughputClientOptions(),
        will: { topic: this.topics.availability, payload: Buffer.from('offline'), qos: 1, retain: true },
        ...login,
        ...tls,
      };
      const client = connect(this.brokerUrl, opts);
      batchClientWrites(client);
      this.client = client;
      client.on('connect', () => this.onConnect());
      client.on('close', () => {
        this.subscribed = false;
        this.emit('close');
      });
      client.on('error', (err) => {
        if (this.lastError !== err.message)
          log.warn({ err: err.message, url: redactUrl(this.brokerUrl) }, 'mqtt error');
        this.lastError = err.message;
      });
      client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet.retain));

      this.ctx.door.on('state', this.onState);
      this.started = true;
    } catch (err) {
      await this.teardown();
      throw err;
    }
  }

  /** Stops publishing (idempotent): no more door states, the publisher's cursor saved. */
  private stopPublishing(): void {
    this.ctx.door.off('state', this.onState);
    const publisher = this.publisher;
    this.publisher = null;
    try {
      publisher?.stop();
    } catch (err) {
      this.ctx.logger.warn({ err }, 'mqtt publisher stop failed');
    }
  }

  /** Stops whatever start() got to; never throws. */
  private async teardown(): Promise<void> {
    this.stopPublishing();
    const client = this.client;
    this.client = null;
    this.subscribed = false;
    if (client) {
      try {
        await client.endAsync(true);
      } catch (err) {
        this.ctx.logger.warn({ err }, 'mqtt client end failed');
      }
    }
    const broker = this.broker;
    this.broker = null;
    if (broker) {
      try {
        await broker.stop();
      } catch (err) {
        this.ctx.logger.warn({ err }, 'embedded MQTT broker stop failed');
      }
    }
  }

  private onConnect(): void {
    const client = this.client;
    if (!client) return;
    this.lastError = null;
    this.subscribed = false;
    this.ctx.logger.info({ url: redactUrl(this.brokerUrl) }, 'mqtt connected');
    this.publishRetained(this.topics.availability, 'online' satisfies Availability);
    this.publishState(this.ctx.door.snapshot());
    if (this.ctx.config.discovery.enabled) this.publishDiscovery();
    const subs = [this.topics.request('+')];
    if (this.ctx.config.discovery.enabled) subs.push(this.topics.haStatus);
    client.subscribe(subs, { qos: 1 }, (err, granted) => {
      if (client !== this.client) return;
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (err || refused.length > 0) {
        this.ctx.logger.warn(
          { err: err?.message, refused },
          'mqtt subscribe failed; requests are not heard until the next connect',
        );
        return;
      }
      this.subscribed = true;
      this.emit('ready');
    });
    this.publisher?.pump();
    this.emit('connect');
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    if (topic === this.topics.haStatus) {
      if (payload.toString() === 'online' && this.ctx.config.discovery.enabled) {
        this.publishDiscovery();
        this.publishState(this.ctx.door.snapshot());
      }
      return;
    }
    const command = this.topics.commandOf(topic);
    if (command === null || !this.commands) return;
    // A retained request would run again on every reconnect (an unlock replayed): never execute one.
    if (retained) {
      this.ctx.logger.warn({ command }, 'mqtt: retained request ignored');
      return;
    }
    let responseTopic: string;
    try {
      responseTopic = assertPublishable(this.topics.response(command));
    } catch {
      return;
    }
    const response = this.commands.handle(command, payload);
    this.client?.publish(responseTopic, JSON.stringify(response), { qos: 1 });
  }

  private publishRetained(topic: string, payload: string): void {
    this.client?.publish(assertPublishable(topic), payload, { qos: 1, retain: true }, (err) => {
      if (err && this.started)
        this.ctx.logger.debug({ err: err.message, topic }, 'retained publish not sent');
    });
  }

  private publishState(s: DoorSnapshot): void {
    if (!this.client?.connected) return; // sent on (re)connect
    this.publishRetained(this.topics.state, JSON.stringify(stateMessage(s, this.ctx.clock())));
  }

  private publishDiscovery(): void {
    const cfg = this.ctx.config;
    for (const m of discoveryMessages(this.topics, {
      doorId: this.ctx.doorId,
      version: this.ctx.version,
      unlockCommand: cfg.commands.enabled && cfg.commands.allowed.includes('unlock'),
    })) {
      this.publishRetained(m.topic, m.payload);
    }
  }

  health(): ModuleHealth {
    if (!this.started) return { state: 'stopped' };
    const where = redactUrl(this.brokerUrl);
    const backlog = this.backlog;
    const poison = this.publisher?.stats.poison ?? 0;
    const cursorError = this.publisher?.cursorError ?? null;
    let extra = `backlog ${backlog} event(s)${poison ? `, ${poison} poison event(s) skipped` : ''}`;
    if (cursorError) extra += `; cursor not saved (${cursorError}), retrying`;
    const b = this.broker?.status();
    if (b) {
      extra +=
        b.state === 'running'
          ? `; embedded broker pid ${b.pid}${b.adopted ? ' (reused)' : ''}, ${b.restarts} restart(s)`
          : `; embedded broker ${b.state}${b.lastExit ? ` (${b.lastExit})` : ''}`;
    }
    if (!this.connected) {
      return {
        state: 'degraded',
        detail: `broker ${where} unreachable (${this.lastError ?? 'connecting'}); ${extra}`,
      };
    }
    return { state: cursorError ? 'degraded' : 'ok', detail: `connected to ${where}; ${extra}` };
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.stopPublishing();
    const client = this.client;
    if (client?.connected) {
      // A clean disconnect suppresses the will, so say `offline` ourselves.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        client.publish(this.topics.availability, 'offline', { qos: 1, retain: true }, () => {
          clearTimeout(t);
          resolve();
        });
      });
      this.client = null;
      this.subscribed = false;
      // A broker that died a moment ago still looks connected until the socket's close arrives;
      // a clean end would then wait forever. Give it a second, then end hard.
      let ended = false;
      await Promise.race([
        client.endAsync(false).then(
          () => (ended = true),
          () => (ended = true),
        ),
        new Promise<void>((resolve) => setTimeout(resolve, 1000).unref()),
      ]);
      if (!ended) await client.endAsync(true).catch(() => undefined);
    }
    await this.teardown();
  }
}
