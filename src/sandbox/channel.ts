/**
 * The messages one side of a sandbox process's IPC channel sends in one turn of the event
 * loop go as one IPC message, an array: Node's channel costs a JSON framing and a socket
 * write per message, and with runs in flight many are sent together (the results of the runs
 * that a read of the channel started, the next runs their callers then send).
 */
export class Outbox<T> {
  readonly #write: (batch: readonly T[]) => void;
  #queued: T[] = [];

  /** `write` sends one batch; it is called at most once per tick. */
  constructor(write: (batch: readonly T[]) => void) {
    this.#write = write;
  }

  /** Queues `message`; the batch goes once the current tick's work (its microtasks included) is done. */
  push(message: T): void {
    if (this.#queued.push(message) === 1) process.nextTick(() => this.flush());
  }

  /** Sends what is queued now. */
  flush(): void {
    if (this.#queued.length === 0) return;
    const batch = this.#queued;
    this.#queued = [];
    this.#write(batch);
  }
}
