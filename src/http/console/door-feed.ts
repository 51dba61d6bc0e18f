/**
 * What the live door page shows besides the door's own snapshot: the latest taps and alarms, read
 * from the journal (the last ones at start, then each 'appended' event). Listeners are told when
 * something the page shows changed: a door 'state' event, a tap, an alarm or a door event.
 */
import { EventEmitter } from 'node:events';
import type { DenyReason } from '../../domain/access-policy.js';
import type { JournalEvent } from '../../domain/events.js';
import type { DoorController } from '../../door/door-controller.js';
import type { Journal } from '../../store/journal.js';
import type { RecentTap } from './pages/door.js';

const KEEP = 15;
const BACKLOG = 400;

/** A journal event as a line of the "recent taps" list; null for events that are not taps. */
export function tapOf(ev: JournalEvent): RecentTap | null {
  const d = ev.data;
  const reader =
    typeof d['reader'] === 'string' ? d['reader'] : typeof d['via'] === 'string' ? d['via'] : '—';
  const by = d['by'] as { name?: unknown } | undefined;
  const name = typeof d['name'] === 'string' ? d['name'] : typeof by?.name === 'string' ? by.name : null;
  switch (ev.type) {
    case 'access.granted':
      return { at: ev.at, reader, name, outcome: 'grant' };
    case 'access.denied':
      return { at: ev.at, reader, name, outcome: 'deny', reason: d['reason'] as DenyReason };
    case 'access.awaiting_escort':
      return { at: ev.at, reader, name, outcome: 'pending' };
    case 'access.exit':
      return { at: ev.at, reader, name, outcome: 'exit' };
    default:
      return null;
  }
}

const SHOWN = /^(access|alarm|door)\./;

export class DoorFeed extends EventEmitter<{ changed: [] }> {
  private taps: RecentTap[] = [];
  private readonly onAppended = (ev: JournalEvent) => {
    if (!SHOWN.test(ev.type)) return;
    const tap = tapOf(ev);
    if (tap) this.taps = [tap, ...this.taps].slice(0, KEEP);
    this.emit('changed');
  };
  private readonly onState = () => this.emit('changed');

  constructor(
    private readonly journal: Journal,
    private readonly door: DoorController,
  ) {
    super();
    this.setMaxListeners(200);
  }

  start(): void {
    const from = Math.max(0, this.journal.durableSeq - BACKLOG);
    const recent: RecentTap[] = [];
    for (const ev of this.journal.read(from, BACKLOG)) {
      const tap = tapOf(ev);
      if (tap) recent.unshift(tap);
    }
    this.taps = recent.slice(0, KEEP);
    this.journal.on('appended', this.onAppended);
    this.door.on('state', this.onState);
  }

  stop(): void {
    this.journal.off('appended', this.onAppended);
    this.door.off('state', this.onState);
  }

  recentTaps(): readonly RecentTap[] {
    return this.taps;
  }
}
