/**
 * Request → reply matching over the serial link (after zigbee-herdsman's waitress): the matcher
 * is registered *before* the request is written, so a fast reply cannot slip past it; each wait
 * has a timeout from one table, and a timeout error says what was awaited.
 */

export interface Waiter<T> {
  promise: Promise<T>;
  cancel(reason: Error): void;
}

interface Entry<T> {
  match: (reply: T) => boolean;
  resolve: (reply: T) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class BridgeTimeoutError extends Error {
  constructor(
    readonly awaited: string,
    readonly timeoutMs: number,
  ) {
    super(`bridge: no ${awaited} within ${timeoutMs} ms`);
    this.name = 'BridgeTimeoutError';
  }
}

export class Waitress<T> {
  private readonly entries = new Set<Entry<T>>();

  waitFor(match: (reply: T) => boolean, timeoutMs: number, awaited: string): Waiter<T> {
    let entry!: Entry<T>;
    const promise = new Promise<T>((resolve, reject) => {
      entry = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.entries.delete(entry);
          reject(new BridgeTimeoutError(awaited, timeoutMs));
        }, timeoutMs),
      };
    });
    this.entries.add(entry);
    return {
      promise,
      cancel: (reason) => {
        if (!this.entries.delete(entry)) return;
        clearTimeout(entry.timer);
        entry.reject(reason);
      },
    };
  }

  /** Hands a reply to the first waiter that matches it; false if nobody was waiting. */
  resolve(reply: T): boolean {
    for (const e of this.entries) {
      if (!e.match(reply)) continue;
      this.entries.delete(e);
      clearTimeout(e.timer);
      e.resolve(reply);
      return true;
    }
    return false;
  }

  /** Fails every wait (the port went away). */
  rejectAll(err: Error): void {
    for (const e of this.entries) {
      clearTimeout(e.timer);
      e.reject(err);
    }
    this.entries.clear();
  }
}
