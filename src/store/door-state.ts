/**
 * The door's own small durable state: its mode and who is inside. Kept apart from state.json so a
 * tap rewrites a few hundred bytes, not the whole badge list; kept at all so that a restart in
 * lockdown stays in lockdown and anti-passback survives a power cut.
 */
import { join } from 'node:path';
import type { Occupant } from '../domain/occupancy.js';
import { DOOR_MODES, type DoorMode } from '../domain/types.js';
import { DurableJSONFile } from './durable-file.js';
import { isObject, parseDataFile, refuseMissingWithPrevious } from './state-file-error.js';

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

/** What is wrong with a parsed door.json, as `path message` (empty: it is one). */
export function doorStateProblems(v: unknown): string[] {
  if (!isObject(v)) return ['the top level must be an object'];
  const out: string[] = [];
  if (!DOOR_MODES.includes(v.mode as DoorMode)) out.push(`mode must be one of ${JSON.stringify(DOOR_MODES)}`);
  if (!Array.isArray(v.occupancy)) out.push('occupancy must be an array');
  else
    v.occupancy.forEach((o, i) => {
      if (!isObject(o) || typeof o.badgeId !== 'string')
        out.push(`occupancy[${i}] must be an occupant with a badgeId`);
    });
  if (v.modeBeforeFire != null && !DOOR_MODES.includes(v.modeBeforeFire as DoorMode))
    out.push(`modeBeforeFire must be null or one of ${JSON.stringify(DOOR_MODES)}`);
  if (v.journalSeq !== undefined && !(Number.isInteger(v.journalSeq) && (v.journalSeq as number) >= 0))
    out.push('journalSeq must be a whole number ≥ 0');
  return out;
}

/** Parses door.json's text; throws StateFileError (state_file_corrupt) naming what is wrong. */
export function parseDoorStateFile(text: string, file: string): DoorStateData {
  return parseDataFile<DoorStateData>(text, file, doorStateProblems);
}

export class DoorStateFile {
  private readonly file: DurableJSONFile<DoorStateData>;

  constructor(dir: string) {
    this.file = new DurableJSONFile<DoorStateData>(join(dir, 'door.json'), {
      keepPrevious: true,
      parse: parseDoorStateFile,
    });
  }

  /** The saved state, or the defaults when there is none; throws StateFileError when damaged. */
  async load(): Promise<DoorStateData> {
    refuseMissingWithPrevious(this.file.path);
    return (await this.file.read()) ?? { mode: 'normal', occupancy: [] };
  }

  save(data: DoorStateData): Promise<void> {
    return this.file.write(data);
  }
}
