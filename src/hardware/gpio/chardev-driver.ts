/**
 * GPIO over the character device (/dev/gpiochipN), through Debian's `gpiod` tools (libgpiod 1.6):
 * a long-running `gpioset --mode=signal` holds the relay line, one `gpiomon` per input streams
 * edges, `gpioget` reads the level at start and after a restart, `gpiodetect` finds the chip.
 *
 * Why the tools and not an npm binding: the only maintained binding (node-libgpiod) is a nan addon
 * with no prebuilt binaries; installing it compiles against libgpiod-dev with node-gyp, which fetches
 * Node headers from outside the npm registry. The tools come from one Debian package (`apt-get
 * install gpiod`, the same libgpiod Raspberry Pi OS ships), need no compiler, and run in their own
 * processes: a crash there cannot take the door controller down, and it is seen (exit) and
 * recovered (respawn, locked). They are also testable here with fake executables on PATH.
 * The costs, accepted for a door: a relay switch spawns a process (milliseconds on a Pi), and
 * libgpiod 1.6's gpioset cannot change a held value, so each switch releases the line briefly. A
 * released chardev line is undefined (see `gpioset --help`), so wire the relay input with a pull
 * resistor to the locked level; that also covers boot, a crash and the service stopped.
 *
 * Inversion (active-low) is done by the driver, not with `-l`, so both drivers mean the same thing by it.
 *
 * The driver in four files: gpiod-parse.ts (command lines and tool output, pure),
 * gpiod-process.ts (spawning and stopping the tools, chip discovery), chardev-relay.ts and
 * chardev-input.ts. Restarts back off through ../restart-backoff.ts. This file is the driver's
 * entry point: the factory (index.ts) and the tests import it from here.
 */
export { ChardevInput, type ChardevInputOptions } from './chardev-input.js';
export { ChardevRelay, type ChardevRelayOptions } from './chardev-relay.js';
export {
  type DetectedChip,
  type GpioBias,
  gpiogetArgs,
  gpiomonArgs,
  gpiosetArgs,
  MON_FORMAT,
  type MonEvent,
  parseGpiodetect,
  parseGpioget,
  parseMonLine,
  pickHeaderChip,
} from './gpiod-parse.js';
export { type ChardevContext, resolveChardevChip, runTool } from './gpiod-process.js';
