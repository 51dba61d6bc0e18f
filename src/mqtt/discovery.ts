/**
 * Home Assistant MQTT discovery: the door appears as a device with a lock, a door sensor, a
 * problem sensor, an access event entity and an occupancy sensor. Configs are retained; they are
 * published on every connect and again when Home Assistant announces itself online.
 */
import type { Topics } from './topics.js';

export interface DiscoveryMessage {
  topic: string;
  /** '' removes the entity (used when the lock switches between read-only and commandable). */
  payload: string;
}

export interface DiscoveryOptions {
  doorId: string;
  version: string;
  /** The unlock command is on and allowed: the lock gets a command topic. */
  unlockCommand: boolean;
}

export function discoveryMessages(topics: Topics, o: DiscoveryOptions): DiscoveryMessage[] {
  const node = `jurukunci_${o.doorId.replace(/-/g, '_')}`;
  const device = {
    identifiers: [node],
    name: `Pintu ${o.doorId}`,
    manufacturer: 'jurukunci',
    model: 'server-room door controller',
    sw_version: o.version,
  };
  const common = (object: string, name: string) => ({
    name,
    unique_id: `${node}_${object}`,
    object_id: `${node}_${object}`,
    device,
    availability_topic: topics.availability,
    payload_available: 'online',
    payload_not_available: 'offline',
  });
  const lockState = "{{ 'LOCKED' if value_json.lock == 'locked' else 'UNLOCKED' }}";
  const out: DiscoveryMessage[] = [];
  const put = (component: string, object: string, config: Record<string, unknown> | null) =>
    out.push({ topic: topics.discovery(component, object), payload: config ? JSON.stringify(config) : '' });

  if (o.unlockCommand) {
    put('lock', 'lock', {
      ...common('lock', 'Kunci'),
      state_topic: topics.state,
      value_template: lockState,
      state_locked: 'LOCKED',
      state_unlocked: 'UNLOCKED',
      command_topic: topics.request('unlock'),
      // UNLOCK is the momentary unlock; the door relocks by itself, and a LOCK payload is refused
      // by the service as a malformed request (it changes nothing).
      payload_unlock: JSON.stringify({ by: 'home-assistant' }),
      payload_lock: 'LOCK',
      optimistic: false,
    });
    put('binary_sensor', 'lock', null);
  } else {
    // Home Assistant's lock entity requires a command topic; without commands the lock is shown
    // read-only as a lock binary sensor (on = unlocked).
    put('binary_sensor', 'lock', {
      ...common('lock', 'Kunci'),
      device_class: 'lock',
      state_topic: topics.state,
      value_template: "{{ 'ON' if value_json.lock == 'unlocked' else 'OFF' }}",
    });
    put('lock', 'lock', null);
  }
  put('binary_sensor', 'door', {
    ...common('door', 'Pintu'),
    device_class: 'door',
    state_topic: topics.state,
    value_template: "{{ 'ON' if value_json.contact == 'open' else 'OFF' }}",
  });
  put('binary_sensor', 'problem', {
    ...common('problem', 'Alarm pintu'),
    device_class: 'problem',
    state_topic: topics.state,
    value_template: "{{ 'ON' if value_json.alarms.forced or value_json.alarms.heldOpen else 'OFF' }}",
    json_attributes_topic: topics.state,
    json_attributes_template: '{{ value_json.alarms | tojson }}',
  });
  put('event', 'access', {
    ...common('access', 'Akses'),
    state_topic: topics.access,
    event_types: ['granted', 'denied', 'awaiting_escort', 'exit'],
  });
  put('binary_sensor', 'occupancy', {
    ...common('occupancy', 'Ada orang di dalam'),
    device_class: 'occupancy',
    state_topic: topics.state,
    value_template: "{{ 'ON' if value_json.occupied else 'OFF' }}",
    json_attributes_topic: topics.state,
    json_attributes_template: "{{ {'inside': value_json.inside, 'mode': value_json.mode} | tojson }}",
  });
  return out;
}
