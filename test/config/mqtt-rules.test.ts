/**
 * MQTT rules the schema cannot say (src/config/mqtt-rules.ts): commands need an operator to sign
 * them, the URL must name a broker, TLS files need a TLS URL, a client certificate
 * comes with its key. Checked alone on unvalidated configs, and through loading.
 */
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { embeddedUsers, mqttConfigProblems } from '../../src/config/mqtt-rules.js';
import type { MqttConfig } from '../../src/config/schema.js';

const defaults = loadConfig({ env: {} }).mqtt;
/** The defaults with some fields replaced, not validated: the rules alone are under test. */
const raw = (over: Partial<MqttConfig>): MqttConfig => ({ ...defaults, ...over });
/** Validated, as the service loads it. */
const loaded = (mqtt: Record<string, unknown>) => loadConfig({ env: {}, overrides: { mqtt } }).mqtt;

function loadErrors(mqtt: Record<string, unknown>): string[] {
  try {
    loaded(mqtt);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.errors;
  }
  assert.fail('expected a ConfigError');
}

describe('config/mqtt-rules', () => {
  it('refuses commands unless an operator can sign them; embedded users still come from the config', () => {
    const noOperators = raw({ commands: { ...defaults.commands, enabled: true } });
    assert.equal(mqttConfigProblems(noOperators).length, 1);
    assert.match(mqttConfigProblems(noOperators)[0]!, /^mqtt\.commands\.enabled needs at least one operator/);
    assert.deepEqual(loadErrors({ commands: { enabled: true } }), mqttConfigProblems(noOperators));
    assert.deepEqual(mqttConfigProblems(loaded({})), []);
    const op = { id: 'dash-1', name: 'Dashboard', role: 'superadmin', key: 'k'.repeat(40) };
    assert.deepEqual(
      mqttConfigProblems(
        loaded({ commands: { enabled: true }, url: 'mqtt://10.0.0.2:1883', operators: [op] }),
      ),
      [],
    );
    const withEmbedded = loaded({ embedded: { username: 'u', password: 'p' } });
    assert.deepEqual(embeddedUsers(withEmbedded), { username: 'u', password: 'p' });
    const withShared = loaded({ username: 'a', password: 'b' });
    assert.deepEqual(embeddedUsers(withShared), { username: 'a', password: 'b' });
    assert.equal(embeddedUsers(loaded({ embedded: { username: 'u' } })), null);
  });

  it('a URL that does not parse or names no host is refused', () => {
    assert.deepEqual(mqttConfigProblems(raw({ url: 'mqtt://bro ker:1883' })), [
      'mqtt.url is not a valid URL (mqtt://host:port, mqtts://, ws:// or wss://)',
    ]);
    assert.deepEqual(mqttConfigProblems(raw({ url: 'mqtt://' })), ['mqtt.url names no broker host']);
    // The scheme itself is the schema's pattern.
    const errors = loadErrors({ url: 'http://broker:1883' });
    assert.ok(
      errors.some((e) => e.startsWith('mqtt.url must match pattern')),
      errors.join('\n'),
    );
  });

  it('TLS files need a TLS URL, and are meaningless with the embedded broker', () => {
    assert.deepEqual(mqttConfigProblems(raw({ url: 'mqtt://broker:1883', ca: '/etc/ca.pem' })), [
      'mqtt.ca needs a TLS broker URL (mqtts:// or wss://), not mqtt://',
    ]);
    assert.deepEqual(
      mqttConfigProblems(raw({ url: 'ws://broker:8080/mqtt', cert: '/c.pem', key: '/k.pem' })),
      [
        'mqtt.cert needs a TLS broker URL (mqtts:// or wss://), not ws://',
        'mqtt.key needs a TLS broker URL (mqtts:// or wss://), not ws://',
      ],
    );
    assert.deepEqual(mqttConfigProblems(raw({ url: '', ca: '/etc/ca.pem' })), [
      'mqtt.ca has no effect with the embedded broker (mqtt.url empty), which speaks plain MQTT',
    ]);
    for (const url of ['mqtts://broker:8883', 'wss://broker/mqtt'])
      assert.deepEqual(
        mqttConfigProblems(raw({ url, ca: '/ca.pem', cert: '/c.pem', key: '/k.pem' })),
        [],
        url,
      );
  });

  it('a client certificate comes with its key, and the other way round', () => {
    assert.deepEqual(mqttConfigProblems(raw({ url: 'mqtts://b:8883', cert: '/c.pem' })), [
      'mqtt.cert needs mqtt.key: a client certificate without its key',
    ]);
    assert.deepEqual(mqttConfigProblems(raw({ url: 'mqtts://b:8883', key: '/k.pem' })), [
      'mqtt.key needs mqtt.cert: a client key without its certificate',
    ]);
  });

  it('lists every problem at once, and none while MQTT is off', () => {
    const bad = { url: 'mqtt://broker:1883', ca: '/ca.pem', cert: '/c.pem' };
    assert.equal(mqttConfigProblems(raw(bad)).length, 3);
    assert.equal(loadErrors(bad).length, 3);
    assert.deepEqual(mqttConfigProblems(raw({ ...bad, enabled: false })), []);
    assert.equal(loaded({ ...bad, enabled: false }).url, 'mqtt://broker:1883');
  });
});
