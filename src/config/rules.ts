/**
 * The rules a JSON schema cannot say (across fields, across list items, a pattern that must
 * compile), run on a configuration the schema has accepted. Same `path message` form as schema
 * errors, so `config check` lists both alike.
 */
import { bridgeConfigProblems } from './bridge-rules.js';
import { gpioConfigProblems } from './gpio-rules.js';
import { mqttConfigProblems } from './mqtt-rules.js';
import { readerConfigProblems } from './reader-rules.js';
import type { Config } from './schema.js';

export function configProblems(config: Config): string[] {
  return [
    ...gpioConfigProblems(config.hardware),
    ...readerConfigProblems(config.readers),
    ...bridgeConfigProblems(config.hardware, config.readers),
    ...mqttConfigProblems(config.mqtt),
  ];
}
