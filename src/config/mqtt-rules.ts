/**
 * MQTT rules the JSON schema cannot say, checked with the rest of the configuration (so
 * `jurukunci config check` names them), and the reading of who may log in to the embedded broker
 * that those rules and the MQTT module share.
 */
import type { MqttConfig } from './schema.js';

/** Who may log in to the embedded broker as an authenticated client: embedded.*, else mqtt.*. */
export function embeddedUsers(cfg: MqttConfig): { username: string; password: string } | null {
  const username = cfg.embedded.username || cfg.username;
  const password = cfg.embedded.password || cfg.password;
  return username && password ? { username, password } : null;
}

const TLS_SCHEMES = new Set(['mqtts:', 'wss:']);
const TLS_FILES = ['ca', 'cert', 'key'] as const;

/** Every problem as `path message`; [] when the MQTT configuration can be started (or is off). */
export function mqttConfigProblems(cfg: MqttConfig): string[] {
  const problems: string[] = [];
  if (!cfg.enabled) return problems;
  const tlsFiles = TLS_FILES.filter((k) => cfg[k] !== '');
  if (cfg.url === '') {
    if (cfg.commands.enabled && embeddedUsers(cfg) === null) {
      // Nobody could send a request: the embedded broker takes requests from authenticated clients only.
      problems.push(
        'mqtt.commands.enabled needs credentials with the embedded broker (mqtt.url empty): set mqtt.embedded.username and mqtt.embedded.password (or mqtt.username and mqtt.password)',
      );
    }
    for (const k of tlsFiles)
      problems.push(
        `mqtt.${k} has no effect with the embedded broker (mqtt.url empty), which speaks plain MQTT`,
      );
  } else {
    let url: URL | null = null;
    try {
      url = new URL(cfg.url);
    } catch {
      problems.push('mqtt.url is not a valid URL (mqtt://host:port, mqtts://, ws:// or wss://)');
    }
    if (url) {
      if (url.hostname === '') problems.push('mqtt.url names no broker host');
      // A CA or client certificate on a plain URL is ignored by the client: the operator would
      // believe the link encrypted when it is not.
      if (!TLS_SCHEMES.has(url.protocol)) {
        for (const k of tlsFiles)
          problems.push(`mqtt.${k} needs a TLS broker URL (mqtts:// or wss://), not ${url.protocol}//`);
      }
    }
  }
  if ((cfg.cert === '') !== (cfg.key === '')) {
    problems.push(
      cfg.cert === ''
        ? 'mqtt.key needs mqtt.cert: a client key without its certificate'
        : 'mqtt.cert needs mqtt.key: a client certificate without its key',
    );
  }
  return problems;
}
