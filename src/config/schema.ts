/**
 * The configuration schema: every field has a title, a description and a default, so the embedded
 * defaults, validation, environment overrides and `config check` all derive from this one object.
 */
import type { FromSchema } from 'json-schema-to-ts';

export const CONFIG_VERSION = 1;

/**
 * Field builders. Each returns an `as const` object so `FromSchema` below reads literal `type`s and
 * `enum`s from it, exactly as it reads the inline parts of the schema.
 */
const seconds = (title: string, description: string, def: number, min = 0.05, max = 3600) =>
  ({
    type: 'number',
    title,
    description,
    default: def,
    minimum: min,
    maximum: max,
  }) as const;

const gpioPin = (title: string, def: number) =>
  ({
    type: 'integer',
    title,
    description: 'BCM GPIO number (as printed on Pi pinouts), not the sysfs number',
    default: def,
    minimum: 0,
    maximum: 53,
  }) as const;

const gpioInputProperties = (title: string, pin: number, activeLow: boolean) =>
  ({
    pin: gpioPin(`${title} pin`, pin),
    activeLow: {
      type: 'boolean',
      title: 'Active low',
      description: 'The input is active (true) on a low line',
      default: activeLow,
    },
    debounceMs: {
      type: 'integer',
      title: 'Debounce',
      description: 'A new level counts once it has held this many milliseconds',
      default: 30,
      minimum: 0,
      maximum: 5000,
    },
    bias: {
      type: 'string',
      title: 'Bias',
      description: 'chardev only: internal pull resistor (sysfs cannot set it)',
      enum: ['as-is', 'pull-up', 'pull-down', 'disable'],
      default: 'pull-up',
    },
  }) as const;

/** An input every door has (door contact, exit button). */
const gpioInput = (title: string, meaning: string, pin: number, activeLow: boolean) =>
  ({
    type: 'object',
    title,
    description: meaning,
    additionalProperties: false,
    default: {},
    properties: gpioInputProperties(title, pin, activeLow),
  }) as const;

const ms = (title: string, description: string, def: number, min: number, max: number) =>
  ({ type: 'integer', title, description, default: def, minimum: min, maximum: max }) as const;

/** The firmware bridge's link (firmware-bridge/PROTOCOL.md); the one home of its defaults. */
const bridgeSchema = {
  type: 'object',
  title: 'Firmware bridge',
  description:
    'Used by the bridge driver: an ATmega328P (Arduino Nano/Uno) owning relay, inputs and a Wiegand reader',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: {
      type: 'string',
      title: 'Device',
      description: 'Serial device of the bridge; prefer a /dev/serial/by-id/ link (stable across replugs)',
      minLength: 1,
      maxLength: 256,
    },
    baudRate: {
      type: 'integer',
      title: 'Baud rate',
      description: 'Line speed; the firmware runs at 115200',
      default: 115200,
      enum: [57600, 115200],
    },
    heartbeatMs: ms(
      'Heartbeat interval',
      'How often the host tells the bridge it is alive (ms)',
      500,
      50,
      5000,
    ),
    heartbeatTimeoutMs: ms(
      'Heartbeat timeout',
      'The bridge releases the relay and latches host_lost after this long without the host (ms; the MCU bounds it to 500..10000)',
      2000,
      500,
      10000,
    ),
    maxPulseMs: ms(
      'Longest pulse',
      'The longest relay pulse the bridge grants; the host renews it at half this while the door stays unlocked (ms)',
      10000,
      1000,
      30000,
    ),
    rexPulseMs: ms(
      'Local exit pulse',
      'Relay pulse of a local request-to-exit by the bridge (ms)',
      5000,
      500,
      30000,
    ),
    rexMode: {
      type: 'string',
      title: 'Local request-to-exit',
      description:
        'When the bridge pulses the relay on the exit button by itself: off, hostAbsent (only while the host is gone), always',
      enum: ['off', 'hostAbsent', 'always'],
      default: 'hostAbsent',
    },
    reconnectMinMs: ms(
      'First retry',
      'Delay before reopening a lost port or repeating HELLO; doubles up to reconnectMaxMs',
      250,
      10,
      60000,
    ),
    reconnectMaxMs: ms('Longest retry', 'Upper bound of the reconnect backoff (ms)', 5000, 10, 300000),
    autoResetFaults: {
      type: 'boolean',
      title: 'Clear reported faults',
      description:
        'Clear latched bridge faults once they are journalled (else unlocking stays refused until cleared)',
      default: true,
    },
  },
} as const;

/** An input that may not be wired (tamper, fire alarm): off unless `enabled`. */
const optionalGpioInput = (title: string, meaning: string, pin: number, activeLow: boolean) =>
  ({
    type: 'object',
    title,
    description: meaning,
    additionalProperties: false,
    default: {},
    properties: {
      enabled: { type: 'boolean', title: 'Wired', description: 'The input is connected', default: false },
      ...gpioInputProperties(title, pin, activeLow),
    },
  }) as const;

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
        trustProxy: {
          type: 'boolean',
          title: 'Behind a TLS proxy',
          description:
            'Trust X-Forwarded-Proto/-Host/-For from the proxy in front: the console then marks cookies Secure and asks browsers to upgrade to https',
          default: false,
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
    site: {
      type: 'object',
      title: 'Site',
      additionalProperties: false,
      default: {},
      properties: {
        timeZone: {
          type: 'string',
          title: 'Time zone',
          description: 'IANA time zone the console shows times in and reads typed times as',
          default: 'Asia/Jakarta',
          minLength: 1,
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
          description:
            'sim: simulated lines (API-driven); gpio-sysfs: /sys/class/gpio via onoff; gpio-chardev: /dev/gpiochipN via the gpiod tools; bridge: the firmware bridge (firmware-bridge/) on a serial port',
          enum: ['sim', 'gpio-sysfs', 'gpio-chardev', 'bridge'],
          default: 'sim',
        },
        bridge: bridgeSchema,
        gpio: {
          type: 'object',
          title: 'GPIO lines',
          description: 'Used by the gpio-sysfs and gpio-chardev drivers; pins are BCM numbers',
          additionalProperties: false,
          default: {},
          properties: {
            chipLabel: {
              type: 'string',
              title: 'Chip label',
              description:
                'Label of the header GPIO chip; empty finds the Pi pin controller (pinctrl-rp1, pinctrl-bcm2711, pinctrl-bcm2835)',
              default: '',
            },
            chipBase: {
              type: 'integer',
              title: 'Chip base',
              description:
                'sysfs only: GPIO number of BCM 0 (512 on a Pi 4, 571 on a Pi 5 with kernel 6.6+); -1 finds it',
              default: -1,
              minimum: -1,
            },
            chardevChip: {
              type: 'string',
              title: 'Character device chip',
              description:
                'chardev only: gpiochip name, path, number or label; empty finds it with gpiodetect',
              default: '',
            },
            pollMs: {
              type: 'integer',
              title: 'Poll interval',
              description: 'sysfs only: input poll interval (ms) for lines without edge interrupts',
              default: 20,
              minimum: 1,
              maximum: 1000,
            },
            relay: {
              type: 'object',
              title: 'Lock relay',
              additionalProperties: false,
              default: {},
              properties: {
                pin: gpioPin('Relay pin', 17),
                activeLow: {
                  type: 'boolean',
                  title: 'Active low',
                  description: 'The relay releases the lock on a low line (many relay boards)',
                  default: false,
                },
              },
            },
            doorContact: gpioInput('Door contact', 'true = door open', 27, false),
            exitButton: gpioInput('Exit button', 'true = pressed (button to ground: active low)', 22, true),
            tamper: optionalGpioInput(
              'Tamper input',
              'true = enclosure opened: raises alarm.tamper',
              23,
              false,
            ),
            fireAlarm: optionalGpioInput(
              'Fire-alarm input',
              'true = fire alarm active: emergency release while it lasts',
              24,
              false,
            ),
          },
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
          role: {
            type: 'string',
            title: 'Role',
            description:
              'entry or exit side of the door; enrol: a desk reader that binds badges (never opens the door)',
            enum: ['entry', 'exit', 'enrol'],
          },
          driver: {
            type: 'string',
            title: 'Driver',
            description:
              'bridge-wiegand: the Wiegand reader wired to the firmware bridge (needs hardware.driver bridge)',
            enum: ['sim', 'qr-serial', 'nfc', 'bridge-wiegand'],
          },
          nfc: {
            type: 'object',
            title: 'NFC reader (PC/SC)',
            description: 'Options of the nfc driver: a PC/SC contactless reader served by pcscd',
            additionalProperties: false,
            required: ['namePattern'],
            properties: {
              namePattern: {
                type: 'string',
                title: 'Reader name pattern',
                description:
                  'Case-insensitive regular expression matched against PC/SC reader names (pcsc_scan lists them), e.g. "^ACS ACR122U"; the first free matching reader is bound',
                minLength: 1,
                maxLength: 256,
              },
              debounceMs: {
                type: 'integer',
                title: 'Repeat debounce',
                description:
                  'A card counts once while held; the same card again within this many ms of its last tap is ignored',
                default: 1500,
                minimum: 0,
                maximum: 60000,
              },
              feedback: {
                type: 'boolean',
                title: 'LED and buzzer',
                description: 'Signal grant/deny on ACR122U-class readers; other readers have none',
                default: true,
              },
            },
          },
          serial: {
            type: 'object',
            title: 'Serial QR scanner',
            description: 'Options of the qr-serial driver: a line-terminated USB-CDC / RS-232 scanner',
            additionalProperties: false,
            required: ['path'],
            properties: {
              path: {
                type: 'string',
                title: 'Device',
                description: 'Serial device, e.g. /dev/ttyACM0 or a /dev/serial/by-id/ link',
                minLength: 1,
                maxLength: 256,
              },
              baudRate: {
                type: 'integer',
                title: 'Baud rate',
                description: 'Line speed (USB-CDC scanners ignore it)',
                default: 9600,
                enum: [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400],
              },
              terminator: {
                type: 'string',
                title: 'Line terminator',
                description: 'What ends a scan: cr, lf, crlf, or any (CR or LF)',
                enum: ['cr', 'lf', 'crlf', 'any'],
                default: 'any',
              },
              maxLineLength: {
                type: 'integer',
                title: 'Longest line',
                description: 'Longer lines are dropped as junk',
                default: 512,
                minimum: 64,
                maximum: 4096,
              },
              maxLinesPerChunk: {
                type: 'integer',
                title: 'Lines per chunk',
                description:
                  'Lines read from one chunk of serial data; more are dropped and counted (a spewing scanner cannot stall the door)',
                default: 32,
                minimum: 1,
                maximum: 1024,
              },
              maxDebounceEntries: {
                type: 'integer',
                title: 'Remembered codes',
                description: 'Codes remembered for debouncing; the oldest is forgotten beyond this',
                default: 256,
                minimum: 8,
                maximum: 10000,
              },
              debounceMs: {
                type: 'integer',
                title: 'Repeat debounce',
                description: 'The same code again within this many ms of its last sighting is one scan',
                default: 2000,
                minimum: 0,
                maximum: 60000,
              },
              reconnectMinMs: {
                type: 'integer',
                title: 'First retry',
                description: 'Delay before reopening a lost port; doubles up to reconnectMaxMs',
                default: 250,
                minimum: 10,
                maximum: 60000,
              },
              reconnectMaxMs: {
                type: 'integer',
                title: 'Longest retry',
                description: 'Upper bound of the reopen backoff',
                default: 5000,
                minimum: 10,
                maximum: 300000,
              },
            },
          },
        },
        if: { properties: { driver: { const: 'qr-serial' } } },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's own if/then keyword
        then: { required: ['serial'] },
      },
    },
    credentials: {
      type: 'object',
      title: 'Credentials',
      description: 'How well a credential must prove itself at the door',
      additionalProperties: false,
      default: {},
      properties: {
        nfc: {
          type: 'object',
          title: 'NFC badges',
          description:
            'ntag424: genuine NTAG 424 DNA badges only, each proving at every tap that it holds its own key (AES, keys diversified from the master key in <dataDir>/keys): a copied UID does not open. uid: any card by its UID alone, as plain MIFARE cards — INSECURE, a UID is read and copied in a second; shown as insecure in /healthz and every such grant is journaled with credential "uid". Both: a migration, where a badge enrolled genuine must still prove it',
          additionalProperties: false,
          default: {},
          properties: {
            accept: {
              type: 'array',
              title: 'Accepted NFC badges',
              description:
                '["ntag424"] genuine only (default); ["uid"] UID only (insecure); both during a migration',
              items: { type: 'string', enum: ['ntag424', 'uid'] },
              minItems: 1,
              uniqueItems: true,
              default: ['ntag424'],
            },
          },
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
        remoteUnlockRoles: {
          type: 'array',
          title: 'Who may unlock remotely',
          description:
            'Roles that may open the door by command (HTTP, console, MQTT), with a reason that is journaled. A remote unlock bypasses the procedure (no visit, approval or escort), so the default is the Head of Section only',
          items: { type: 'string', enum: ['admin', 'superadmin', 'operator'] },
          uniqueItems: true,
          default: ['superadmin'],
        },
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
        clockToleranceSeconds: {
          type: 'number',
          title: 'Clock tolerance',
          description:
            'A wall clock this many seconds before the latest trusted time (the last journaled event) raises alarm.clock_untrusted and refuses visitors',
          default: 120,
          minimum: 0,
          maximum: 86400,
        },
        staffEntryOnUntrustedClock: {
          type: 'boolean',
          title: 'Staff enter on an untrusted clock',
          description: 'While the clock is untrusted, staff may still enter (visitors never may)',
          default: true,
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
        maxWindowDays: {
          type: 'number',
          title: 'Longest visit window',
          description:
            'A requested visit window longer than this many days is refused (a badge for a year is not a visit)',
          default: 7,
          minimum: 0.04,
          maximum: 366,
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
    enrolment: {
      type: 'object',
      title: 'Badge enrolment',
      description: 'An admin starts an enrolment; the next card on an enrol reader is bound to the new badge',
      additionalProperties: false,
      default: {},
      properties: {
        timeoutSeconds: seconds(
          'Enrolment timeout',
          'An enrolment no card was presented for within this time ends as timed_out',
          60,
          1,
          3600,
        ),
      },
    },
    intake: {
      type: 'object',
      title: 'Helpdesk intake',
      description:
        'POST /api/intake: the helpdesk website submits requests (SOP 1), each body signed with HMAC-SHA256 over timestamp + "." + body',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: {
          type: 'boolean',
          title: 'Intake on',
          description: 'Off: the route answers 404 intake_disabled',
          default: false,
        },
        secret: {
          type: 'string',
          title: 'Shared secret',
          description: 'HMAC-SHA256 key shared with the helpdesk; empty keeps the intake off',
          default: '',
          maxLength: 256,
        },
        maxSkewSeconds: seconds(
          'Timestamp tolerance',
          'A request whose x-jurukunci-timestamp is further than this from the clock is refused (replay guard)',
          300,
          1,
          3600,
        ),
        maxPerMinute: {
          type: 'integer',
          title: 'Rate limit',
          description: 'Requests per minute per source address',
          default: 30,
          minimum: 1,
          maximum: 10000,
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
        retainSegments: {
          type: 'integer',
          title: 'Segments kept',
          description:
            'Oldest segments beyond this many are pruned at start, recorded by a journal.pruned event; 0 keeps all',
          default: 0,
          minimum: 0,
        },
        checkpointEvery: {
          type: 'integer',
          title: 'Checkpoint every N events',
          description: 'A signed journal.checkpoint (Ed25519, device key) after this many events; 0: off',
          default: 100,
          minimum: 0,
        },
        checkpointMinutes: {
          type: 'number',
          title: 'Checkpoint every M minutes',
          description: 'A signed journal.checkpoint at least this often while events are written; 0: off',
          default: 10,
          minimum: 0,
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
        maxInflight: {
          type: 'integer',
          title: 'Messages in flight',
          description:
            'Journal messages (QoS 1 PUBLISH) sent to the broker and not yet acknowledged, at most; the cursor still moves only past acknowledged events, in order. A larger window keeps a backlog draining while PUBACKs travel',
          default: 128,
          minimum: 1,
          maximum: 10000,
        },
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
            maxAgeSeconds: {
              type: 'integer',
              title: 'Request lifetime',
              description:
                'A signed request whose timestamp is further than this from the door clock is refused (stale); its nonce is remembered this long',
              default: 30,
              minimum: 1,
              maximum: 600,
            },
          },
        },
        operators: {
          type: 'array',
          title: 'Command operators',
          description:
            'Who may send commands: each request is signed (HMAC-SHA256) with the key of one operator, whose role decides what the door rules let it do. With the embedded broker an operator also logs in with its id and key',
          default: [],
          maxItems: 64,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'name', 'role', 'key'],
            properties: {
              id: {
                type: 'string',
                title: 'Operator id',
                description: 'Named in every signed request (operator) and journaled with its commands',
                pattern: '^[A-Za-z0-9_.-]{1,64}$',
              },
              name: {
                type: 'string',
                title: 'Name',
                description: 'Shown in the journal',
                minLength: 1,
                maxLength: 64,
              },
              role: {
                type: 'string',
                title: 'Role',
                description: 'What the door rules (the same as over HTTP) let this operator do',
                enum: ['admin', 'superadmin', 'operator'],
              },
              key: {
                type: 'string',
                title: 'Signing key',
                description: 'Shared HMAC-SHA256 key, at least 32 characters (e.g. openssl rand -base64 32)',
                minLength: 32,
                maxLength: 256,
              },
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
            username: {
              type: 'string',
              title: 'Dashboard username',
              description:
                'With password: the read-only dashboard login (subscribes to <baseTopic>/#); empty makes one at first start, stored in <dataDir>/keys/mqtt-broker.json and shown once',
              default: '',
            },
            password: {
              type: 'string',
              title: 'Dashboard password',
              description: 'Password for embedded.username',
              default: '',
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

/*
 * The types, derived from the schema so the two cannot drift. A property with a default is
 * required in the type: validation (Ajv's useDefaults) fills it in before anyone reads a Config.
 */
export type Config = FromSchema<typeof configSchema>;
export type HardwareConfig = Config['hardware'];
export type GpioConfig = HardwareConfig['gpio'];
export type BridgeConfig = NonNullable<HardwareConfig['bridge']>;
export type GpioInputConfig = GpioConfig['doorContact'];
export type GpioBias = GpioInputConfig['bias'];
export type ReaderConfig = Config['readers'][number];
export type MqttConfig = Config['mqtt'];
export type NfcCredentialsConfig = Config['credentials']['nfc'];
export type MqttCommandName = MqttConfig['commands']['allowed'][number];
export type MqttOperator = MqttConfig['operators'][number];
