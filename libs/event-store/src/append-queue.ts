import { AppendRequest } from './append-plan';
import { AppendResult } from './event-store.port';

export type PendingAppend = AppendRequest &
  Readonly<{
    resolve: (result: AppendResult) => void;
    reject: (error: unknown) => void;
  }>;

/**
 * Appends waiting to be written, handed to `commit` a group at a time, one group at a time: appends
 * that arrive while a group is being written go together in the next (group commit).
 */
export class AppendQueue {
  private readonly queue: PendingAppend[] = [];
  private draining = false;

  constructor(
    private readonly commit: (group: readonly PendingAppend[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  push(request: AppendRequest): Promise<AppendResult> {
    if (request.events.length === 0) return Promise.reject(new RangeError('An append needs at least one event.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ ...request, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  /** Resolves once every append queued so far is written or refused. */
  async idle(): Promise<void> {
    while (this.draining) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) await this.commit(this.queue.splice(0, this.maxBatch));
    } finally {
      this.draining = false;
    }
  }
}

/** Settles each append of a group with its own outcome. */
export function settle(group: readonly PendingAppend[], outcomes: readonly (AppendResult | Error)[]): void {
  group.forEach((append, index) => {
    const outcome = outcomes[index];
    if (outcome instanceof Error) append.reject(outcome);
    else append.resolve(outcome);
  });
}
