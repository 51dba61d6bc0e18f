/**
 * The embedded broker's own process: `node dist/mqtt/broker-main.js <spec file>` (tsx in dev),
 * started detached by the door's BrokerSupervisor. It listens, writes its pid file, tells its
 * parent (IPC) and then lives on its own: a door killed with SIGKILL leaves it serving, with the
 * QoS 1 messages it queued for persistent sessions, until a restarted door reuses it. SIGTERM (the
 * door stopping cleanly) closes it.
 */
import { createLogger } from '../logger.js';
import { readLaunch, removePidFile, writePidFile } from './broker-files.js';
import { EmbeddedBroker } from './embedded-broker.js';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: broker-main <spec file>');
  const launch = readLaunch(file);
  const logger = createLogger(process.env.JURUKUNCI_BROKER_LOG_LEVEL ?? 'info').child({
    module: 'mqtt-broker',
  });
  let lastDropLog = 0;
  let drops = 0;
  const broker = new EmbeddedBroker({
    ...launch.spec,
    port: launch.listenPort,
    onError: (err) => logger.error({ err: err.message }, 'broker socket error; still serving'),
    onQueueFull: (clientId) => {
      drops++;
      const now = Date.now();
      if (now - lastDropLog < 10_000) return;
      lastDropLog = now;
      logger.warn({ clientId, dropped: drops }, 'queue full: messages for a persistent session dropped');
    },
  });
  await broker.start();
  const port = Number(new URL(broker.url).port);
  writePidFile(launch.pidFile, {
    pid: process.pid,
    host: launch.spec.host,
    port,
    specHash: launch.specHash,
    startedAt: new Date().toISOString(),
  });
  logger.info({ url: broker.url, pid: process.pid }, 'embedded MQTT broker listening');
  // The parent may be gone already (it was killed while this started): nothing to tell then.
  if (process.send && process.connected) process.send({ ready: true, port, pid: process.pid });
  // Without its parent the channel closes; this process carries on.
  process.on('disconnect', () => undefined);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'embedded MQTT broker stopping');
    setTimeout(() => process.exit(1), 3000).unref();
    removePidFile(launch.pidFile, process.pid);
    broker.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // SIGHUP reaches a detached process only by hand; its door's terminal closing must not end it.
  process.on('SIGHUP', () => undefined);
}

main().catch((err: unknown) => {
  process.stderr.write(`embedded MQTT broker failed: ${(err as Error).message}\n`);
  process.exit(1);
});
