/**
 * Starting the embedded broker for the MQTT module: its logins (made at first start, or the
 * configured dashboard login), its supervised process, and the one announcement of the dashboard
 * login when it was just made.
 */
import type { Logger } from 'pino';
import { embeddedUsers } from '../config/mqtt-rules.js';
import type { MqttConfig } from '../config/schema.js';
import { loadBrokerLogins } from './broker-credentials.js';
import { BrokerSupervisor } from './broker-supervisor.js';
import type { BrokerLogin } from './embedded-broker.js';
import type { Topics } from './topics.js';

export interface EmbeddedBrokerStart {
  config: MqttConfig;
  dataDir: string;
  clientId: string;
  topics: Topics;
  logger: Logger;
  announce?: (login: BrokerLogin, url: string) => void;
  /** Called with the supervisor before it starts, so the caller can stop it if start fails. */
  onSupervisor?: (s: BrokerSupervisor) => void;
}

export async function startEmbeddedBroker(
  o: EmbeddedBrokerStart,
): Promise<{ broker: BrokerSupervisor; door: BrokerLogin }> {
  const cfg = o.config;
  const logins = loadBrokerLogins(o.dataDir, embeddedUsers(cfg));
  const broker = new BrokerSupervisor({
    dataDir: o.dataDir,
    logger: o.logger,
    spec: {
      host: cfg.embedded.host,
      port: cfg.embedded.port,
      base: cfg.baseTopic,
      root: o.topics.root,
      doorClientId: o.clientId,
      discoveryNode: {
        prefix: cfg.discovery.prefix,
        node: o.topics.discovery('x', 'y').split('/')[2]!,
      },
      door: logins.door,
      dashboard: logins.dashboard,
      operators: cfg.operators.map((op) => ({ username: op.id, password: op.key })),
    },
  });
  o.onSupervisor?.(broker);
  await broker.start();
  o.logger.info({ url: broker.url, pid: broker.pid }, 'embedded MQTT broker ready');
  if (logins.created) {
    // Logs never carry passwords: without an announcer (the CLI prints it once), name the file.
    const announce =
      o.announce ??
      ((l: BrokerLogin, url: string) =>
        o.logger.warn(
          { username: l.username, url },
          `embedded MQTT broker: dashboard login made; its password is in ${o.dataDir}/keys/mqtt-broker.json`,
        ));
    announce(logins.dashboard, broker.url);
  }
  return { broker, door: logins.door };
}
