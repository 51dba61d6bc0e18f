/**
 * MQTT rules the JSON schema cannot say, checked with the rest of the configuration (so
 * `jurukunci config check` names them), and the reading of the configured dashboard login of the
 * embedded broker that those rules and the MQTT module share.
 */
import type { MqttConfig } from './schema.js';

/**
 * The configured read-only dashboard login of the embedded broker: embedded.*, else mqtt.*; null
 * when none is configured (the broker then makes one at first start).
 */
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
  if (cfg.commands.enabled && cfg.operators.length === 0) {
    // Every request is signed by an operator: with none configured nobody could send one.
    problems.push(
      'mqtt.commands.enabled needs at least one operator (mqtt.operators: id, name, role, key) to sign requests',
    );
  }
  const ids = new Set<string>();
  const keys = new Set<string>();
  cfg.operators.forEach((op, i) => {
    if (ids.has(op.id)) problems.push(`mqtt.operators.${i}.id '${op.id}' is used by another operator`);
    // One key per operator: a shared key would let one operator sign as another.
    if (keys.has(op.key)) problems.push(`mqtt.operators.${i}.key is the key of another operator`);
    ids.add(op.id);
    keys.add(op.key);
  });
  if (cfg.url === '') {
    const dashboard = embeddedUsers(cfg);
    if (dashboard && ids.has(dashboard.username))
      problems.push(
        `mqtt.embedded.username '${dashboard.username}' is also an operator id: the dashboard login is read-only`,
      );
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
