/**
 * The configuration schema: every field has a title, a description and a default, so the embedded
 * defaults, validation, environment overrides and `config check` all derive from this one object.
 */
export const CONFIG_VERSION = 1;

const seconds = (title: string, description: string, def: number, min = 0.05, max = 3600) => ({
  type: 'number',
  title,
  description,
  default: def,
  minimum: min,
  maximum: max,
});

export const configSchema = {
  $id: 'https://jurukunci.local/config.schema.json',
  type: 'object',
  title: 'jurukunci configuration',
  additionalProperties: false,
  properties: {
    version: {
      type: 'integer',
      title: 'Config version',
      description: 'Schema version of this file',
      default: CONFIG_VERSION,
      enum: [CONFIG_VERSION],
    },
    doorId: {
      type: 'string',
      title: 'Door id',
      description: 'Identifies this door in journal events and MQTT topics',
      default: 'server-room',
      pattern: '^[a-z0-9][a-z0-9_-]{0,31}$',
    },
    dataDir: {
      type: 'string',
      title: 'Data directory',
      description: 'State, journal, archive and keys',
      default: './data',
      minLength: 1,
    },
    http: {
      type: 'object',
      title: 'HTTP API and admin console',
      additionalProperties: false,
      default: {},
      properties: {
        host: {
          type: 'string',
          title: 'Listen address',
          description: 'Loopback by default; put a TLS proxy in front to expose it',
          default: '127.0.0.1',
        },
        port: {
          type: 'integer',
          title: 'Listen port',
          description: 'TCP port (0 picks a free one)',
          default: 8080,
          minimum: 0,
          maximum: 65535,
        },
        bodyLimitBytes: {
          type: 'integer',
          title: 'Body limit',
          description: 'Largest request body accepted',
          default: 65536,
          minimum: 1024,
          maximum: 10485760,
        },
        sessionTtlMinutes: {
          type: 'integer',
          title: 'Session lifetime',
          description: 'Minutes a login stays valid without use',
          default: 480,
          minimum: 1,
          maximum: 10080,
        },
        loginMaxAttempts: {
          type: 'integer',
          title: 'Login attempts',
          description: 'Failed logins per username per 15 minutes before a lock-out',
          default: 5,
          minimum: 1,
          maximum: 1000,
        },
      },
    },
    hardware: {
      type: 'object',
      title: 'Door hardware',
      additionalProperties: false,
      default: {},
      properties: {
        driver: {
          type: 'string',
          title: 'Relay and inputs driver',
          description: 'sim: simulated lines (API-driven)',
          enum: ['sim'],
          default: 'sim',
        },
      },
    },
    readers: {
      type: 'array',
      title: 'Credential readers',
      description: 'Each reader is bound to the entry or exit side',
      default: [
        { id: 'entry', role: 'entry', driver: 'sim' },
        { id: 'exit', role: 'exit', driver: 'sim' },
      ],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'role', 'driver'],
        properties: {
          id: { type: 'string', title: 'Reader id', pattern: '^[a-z0-9][a-z0-9_-]{0,31}$' },
          role: { type: 'string', title: 'Side of the door', enum: ['entry', 'exit'] },
          driver: { type: 'string', title: 'Driver', enum: ['sim'] },
        },
      },
    },
    door: {
      type: 'object',
      title: 'Door timing',
      additionalProperties: false,
      default: {},
      properties: {
        unlockSeconds: seconds(
          'Unlock time',
          'How long a grant keeps the lock released (relocks as soon as the door closes)',
          5,
          0.05,
          60,
        ),
        heldOpenSeconds: seconds(
          'Held-open alarm',
          'Door open longer than this raises door.held_open',
          30,
          0.05,
          3600,
        ),
      },
    },
    access: {
      type: 'object',
      title: 'Access rules',
      additionalProperties: false,
      default: {},
      properties: {
        escortWindowSeconds: seconds(
          'Escort window',
          'An escort must present their badge within this many seconds of the visitor',
          10,
          0.05,
          120,
        ),
        escortScope: {
          type: 'string',
          title: 'Who may escort',
          description: 'visit: only the escorts named on the visit; any: any escort-capable staff member',
          enum: ['visit', 'any'],
          default: 'visit',
        },
        staffSoloEntry: {
          type: 'boolean',
          title: 'Escorts enter alone',
          description: 'Escort-capable staff may enter without a visitor',
          default: true,
        },
        windowGraceMinutes: {
          type: 'number',
          title: 'Window grace',
          description: 'Minutes before start and after end of a visit window still admitted',
          default: 15,
          minimum: 0,
          maximum: 240,
        },
        antiPassback: {
          type: 'string',
          title: 'Anti-passback',
          description: 'hard: deny a badge already inside; soft: admit and raise an alarm; off',
          enum: ['hard', 'soft', 'off'],
          default: 'hard',
        },
      },
    },
    procedure: {
      type: 'object',
      title: 'Procedure (SOP)',
      additionalProperties: false,
      default: {},
      properties: {
        slaSubmitToVerifyMinutes: {
          type: 'number',
          title: 'Submit→verify target',
          description: 'SOP step 1: 15 minutes',
          default: 15,
          minimum: 1,
        },
        slaVerifyToDecisionMinutes: {
          type: 'number',
          title: 'Verify→decision target',
          description: 'SOP step 2: 10 minutes',
          default: 10,
          minimum: 1,
        },
        separationOfDuties: {
          type: 'boolean',
          title: 'Four-eyes rule',
          description: 'Whoever verified a request may not decide it',
          default: true,
        },
        expireGraceMinutes: {
          type: 'number',
          title: 'No-show grace',
          description: 'Minutes after the window end before an unissued visit expires',
          default: 60,
          minimum: 0,
        },
        archiveAfterDays: {
          type: 'number',
          title: 'Archive after',
          description:
            'Days after a visit ends (closed, rejected, cancelled, expired) before it moves to the archive',
          default: 7,
          minimum: 0,
        },
      },
    },
    journal: {
      type: 'object',
      title: 'Journal',
      additionalProperties: false,
      default: {},
      properties: {
        maxFileBytes: {
          type: 'integer',
          title: 'Segment size',
          description: 'Rotate to a new file past this size',
          default: 16777216,
          minimum: 4096,
        },
      },
    },
    mqtt: {
      type: 'object',
      title: 'MQTT',
      description: 'Publishes every journal event, the retained door state and availability to a broker',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: {
          type: 'boolean',
          title: 'MQTT on',
          description: 'Off: no broker connection and no embedded broker',
          default: true,
        },
        url: {
          type: 'string',
          title: 'Broker URL',
          description:
            'mqtt://, mqtts://, ws:// or wss://; empty runs the embedded broker (embedded.host:port)',
          default: '',
          pattern: '^$|^(mqtts?|wss?)://',
        },
        clientId: {
          type: 'string',
          title: 'Client id',
          description: 'MQTT client id; empty derives jurukunci-<doorId>',
          default: '',
          maxLength: 64,
        },
        username: { type: 'string', title: 'Username', description: 'Broker username', default: '' },
        password: { type: 'string', title: 'Password', description: 'Broker password', default: '' },
        ca: {
          type: 'string',
          title: 'CA file',
          description: 'PEM file of the CA that signed the broker certificate',
          default: '',
        },
        cert: {
          type: 'string',
          title: 'Client certificate',
          description: 'PEM client certificate file',
          default: '',
        },
        key: { type: 'string', title: 'Client key', description: 'PEM client key file', default: '' },
        baseTopic: {
          type: 'string',
          title: 'Base topic',
          description: 'Topics are <baseTopic>/<doorId>/...',
          default: 'jurukunci',
          pattern: '^[^#+/\\u0000][^#+\\u0000]*$',
          maxLength: 64,
        },
        commands: {
          type: 'object',
          title: 'Commands',
          additionalProperties: false,
          default: {},
          properties: {
            enabled: {
              type: 'boolean',
              title: 'Commands on',
              description: 'Accept <base>/<door>/request/<command>; every executed command is journaled',
              default: false,
            },
            allowed: {
              type: 'array',
              title: 'Allowed commands',
              description: 'Commands accepted when commands are on; others are answered with an error',
              default: ['state', 'unlock', 'lockdown', 'emergency_release'],
              items: { type: 'string', enum: ['state', 'unlock', 'lockdown', 'emergency_release'] },
            },
          },
        },
        discovery: {
          type: 'object',
          title: 'Home Assistant discovery',
          additionalProperties: false,
          default: {},
          properties: {
            enabled: {
              type: 'boolean',
              title: 'Discovery on',
              description: 'Publish Home Assistant MQTT discovery configs (retained)',
              default: true,
            },
            prefix: {
              type: 'string',
              title: 'Discovery prefix',
              description: 'Home Assistant discovery prefix',
              default: 'homeassistant',
              pattern: '^[^#+/\\u0000]+$',
            },
          },
        },
        embedded: {
          type: 'object',
          title: 'Embedded broker',
          description: 'Used when url is empty (aedes, MQTT 3.1.1)',
          additionalProperties: false,
          default: {},
          properties: {
            host: {
              type: 'string',
              title: 'Listen address',
              description: 'Embedded broker address',
              default: '127.0.0.1',
            },
            port: {
              type: 'integer',
              title: 'Listen port',
              description: 'Embedded broker port (0 picks a free one)',
              default: 1883,
              minimum: 0,
              maximum: 65535,
            },
          },
        },
      },
    },
    log: {
      type: 'object',
      title: 'Logging',
      additionalProperties: false,
      default: {},
      properties: {
        level: {
          type: 'string',
          title: 'Log level',
          description: 'pino level',
          enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
          default: 'info',
        },
      },
    },
  },
} as const;

export interface ReaderConfig {
  id: string;
  role: 'entry' | 'exit';
  driver: 'sim';
}

export interface Config {
  version: number;
  doorId: string;
  dataDir: string;
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    sessionTtlMinutes: number;
    loginMaxAttempts: number;
  };
  hardware: { driver: 'sim' };
  readers: ReaderConfig[];
  door: { unlockSeconds: number; heldOpenSeconds: number };
  access: {
    escortWindowSeconds: number;
    escortScope: 'visit' | 'any';
    staffSoloEntry: boolean;
    windowGraceMinutes: number;
    antiPassback: 'hard' | 'soft' | 'off';
  };
  procedure: {
    slaSubmitToVerifyMinutes: number;
    slaVerifyToDecisionMinutes: number;
    separationOfDuties: boolean;
    expireGraceMinutes: number;
    archiveAfterDays: number;
  };
  journal: { maxFileBytes: number };
  mqtt: MqttConfig;
  log: { level: string };
}

export type MqttCommandName = 'state' | 'unlock' | 'lockdown' | 'emergency_release';

export interface MqttConfig {
  enabled: boolean;
  url: string;
  clientId: string;
  username: string;
  password: string;
  ca: string;
  cert: string;
  key: string;
  baseTopic: string;
  commands: { enabled: boolean; allowed: MqttCommandName[] };
  discovery: { enabled: boolean; prefix: string };
  embedded: { host: string; port: number };
}
