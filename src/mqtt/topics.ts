/** Topic names in one place, and the rule that nothing is published to a wildcard. */
import { configSchema } from '../config/schema.js';
import { AppError } from '../domain/errors.js';
import type { CommandName } from './types.js';

/** A topic nothing may be published to: a bug or a bad name, never sent to the broker. */
export class TopicError extends AppError {
  constructor(
    readonly topic: string,
    readonly why: string,
  ) {
    super('mqtt_topic_invalid', { topic, why }, `refusing to publish to '${topic}': ${why}`);
    this.name = 'TopicError';
  }
}

/** Throws unless `topic` is a valid, concrete (wildcard-free) MQTT topic name. */
export function assertPublishable(topic: string): string {
  if (topic.length === 0) throw new TopicError(topic, 'empty topic');
  if (/[#+]/.test(topic)) throw new TopicError(topic, 'wildcards are not allowed in a published topic');
  if (topic.includes('\u0000')) throw new TopicError(topic, 'NUL character');
  if (Buffer.byteLength(topic) > 65535) throw new TopicError(topic, 'longer than 65535 bytes');
  return topic;
}

export class Topics {
  readonly root: string;

  constructor(
    base: string,
    readonly door: string,
    readonly discoveryPrefix: string = configSchema.properties.mqtt.properties.discovery.properties.prefix
      .default,
  ) {
    this.root = `${base}/${door}`;
  }

  get availability(): string {
    return `${this.root}/availability`;
  }

  get state(): string {
    return `${this.root}/state`;
  }

  /** Retained: the journal head the broker last acknowledged, a copy the dashboard keeps. */
  get journalHead(): string {
    return `${this.root}/journal/head`;
  }

  get access(): string {
    return `${this.root}/access`;
  }

  event(type: string): string {
    return `${this.root}/events/${type}`;
  }

  request(command: CommandName | '+'): string {
    return `${this.root}/request/${command}`;
  }

  response(command: string): string {
    return `${this.root}/response/${command}`;
  }

  /** The command a request topic names, or null when the topic is not a request. */
  commandOf(topic: string): string | null {
    const prefix = `${this.root}/request/`;
    if (!topic.startsWith(prefix)) return null;
    const rest = topic.slice(prefix.length);
    return rest.length > 0 && !rest.includes('/') ? rest : null;
  }

  get haStatus(): string {
    return `${this.discoveryPrefix}/status`;
  }

  discovery(component: string, object: string): string {
    return `${this.discoveryPrefix}/${component}/jurukunci_${this.door.replace(/-/g, '_')}/${object}/config`;
  }
}
