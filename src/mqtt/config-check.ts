/**
 * MQTT rules that the JSON schema cannot say: checked by the module before it starts anything
 * (a refusal leaves the module down with the reason in health; the door keeps running), and
 * usable by the configuration loader to refuse the file up front.
 */
import type { MqttConfig } from '../config/schema.js';

/** Who may log in to the embedded broker as an authenticated client: embedded.*, else mqtt.*. */
export function embeddedUsers(cfg: MqttConfig): { username: string; password: string } | null {
  const username = cfg.embedded.username || cfg.username;
  const password = cfg.embedded.password || cfg.password;
  return username && password ? { username, password } : null;
}

/** Every problem as `path message`; [] when the MQTT configuration can be started. */
export function mqttConfigProblems(cfg: MqttConfig): string[] {
  const problems: string[] = [];
  if (!cfg.enabled) return problems;
  if (cfg.url === '' && cfg.commands.enabled && embeddedUsers(cfg) === null) {
    // Without credentials any local process could publish request/unlock to the embedded broker.
    problems.push(
      'mqtt.commands.enabled needs credentials with the embedded broker (mqtt.url empty): set mqtt.embedded.username and mqtt.embedded.password (or mqtt.username and mqtt.password)',
    );
  }
  return problems;
}

export class MqttConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`mqtt configuration refused: ${problems.join('; ')}`);
    this.name = 'MqttConfigError';
  }
}
