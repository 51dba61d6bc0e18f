/**
 * An MQTT setup the module cannot start with although the configuration validated: what only
 * start-up can see (a certificate file that cannot be read). Leaves the module down with the
 * reason in health; the door keeps running.
 */
import { AppError } from '../domain/errors.js';

export class MqttConfigError extends AppError {
  constructor(readonly problems: string[]) {
    super('mqtt_config_invalid', { problems }, `mqtt configuration refused: ${problems.join('; ')}`);
    this.name = 'MqttConfigError';
  }
}
