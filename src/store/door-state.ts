/**
 * The door's own small durable state: its mode and who is inside. Kept apart from state.json so a
 * tap rewrites a few hundred bytes, not the whole badge list; kept at all so that a restart in
 * lockdown stays in lockdown and anti-passback survives a power cut.
 */
import { join } from 'node:path';
import type { Occupant } from '../domain/occupancy.js';
import type { DoorMode } from '../domain/types.js';
import { DurableJSONFile } from './durable-file.js';

export interface DoorStateData {
  mode: DoorMode;
  occupancy: Occupant[];
  /** Set while the fire alarm holds the door released: the mode to return to when it clears. */
  modeBeforeFire?: DoorMode | null;
  /**
   * The journal sequence number this state reflects. On start the door replays the journal after
   * it (door-replay.ts); absent (a file from before), the whole journal is replayed from empty.
   */
  journalSeq?: number;
  /**
   * Visits a grant admitted whose first entry the state did not show booked when this was written
   * (visit id and the time of entry). door.json is written at the grant, the booking a moment
   * later: a crash between must not lose it, and the journal after `journalSeq` no longer shows it.
   */
  firstEntriesDue?: { visitId: string; at: string }[];
}

export class DoorStateFile {
  private readonly file: DurableJSONFile<DoorStateData>;

  constructor(dir: string) {
    this.file = new DurableJSONFile<DoorStateData>(join(dir, 'door.json'));
  }

  async load(): Promise<DoorStateData> {
    return (await this.file.read()) ?? { mode: 'normal', occupancy: [] };
  }

  save(data: DoorStateData): Promise<void> {
    return this.file.write(data);
  }
}
