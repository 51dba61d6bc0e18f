/**
 * What the firmware bridge reports that is not a credential: its latched faults become alarms in
 * the journal (a host_lost the MCU latched while the service was gone is reported when it is
 * back), and a Wiegand read that is not a card is journalled as access.denied card_read_error —
 * and nothing more is decided.
 */
import type { Logger } from 'pino';
import type { EventInput } from '../domain/events.js';
import { BridgeWiegandReader } from '../hardware/bridge/devices.js';
import type { BridgeLink } from '../hardware/bridge/link.js';
import { faultNames } from '../hardware/bridge/protocol.js';
import type { CredentialReader } from '../hardware/interfaces.js';
import type { Journal } from '../store/journal.js';

export function wireBridgeAlarms(
  link: BridgeLink,
  readers: { reader: CredentialReader; role: string }[],
  journal: Journal,
  logger: Logger,
): void {
  const append = (event: EventInput) => {
    try {
      journal.append(event);
    } catch (err) {
      logger.error({ err, type: event.type }, 'journal: bridge event not recorded');
    }
  };
  link.on('fault', (f) =>
    append({
      type: 'alarm.bridge_fault',
      data: { faults: faultNames(f.faults), raised: faultNames(f.raised) },
    }),
  );
  for (const { reader, role } of readers) {
    if (!(reader instanceof BridgeWiegandReader) || role === 'enrol') continue;
    const direction = role === 'exit' ? 'exit' : 'entry';
    reader.readErrors.on('read', (e) =>
      append({
        type: 'access.denied',
        data: {
          reader: e.readerId,
          direction,
          credential: 'wiegand',
          reason: 'card_read_error',
          detail: e.status,
        },
      }),
    );
  }
}
