import { generateKeyPairSync } from 'node:crypto';
import { InMemoryEventStore } from '@app/event-store';
import { anEvent } from '@app/event-store/testing';
import { AuditCheckpoints } from './audit-checkpoints';
import { LogVerification } from './log-verification';

describe('LogVerification', () => {
  const key = { ...generateKeyPairSync('ed25519'), keyId: 'test' };
  let store: InMemoryEventStore;
  let heads: jest.SpyInstance;
  /** Called once a verification run, first thing. */
  let runs: jest.Mock;
  let verification: LogVerification;

  beforeEach(async () => {
    store = new InMemoryEventStore();
    for (let i = 0; i < 5; i++) await store.appendToStream(`s-${i}`, [anEvent()], { expectedVersion: 0 });
    heads = jest.spyOn(store, 'head');
    runs = jest.fn(async () => []);
    verification = new LogVerification(store, { all: runs } as unknown as AuditCheckpoints, key);
  });

  it('runs one verification for callers that ask while one runs, and one more for those who ask after it started', async () => {
    const headAt = store.head.bind(store);
    let release!: () => void;
    let headRead!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const read = new Promise<void>((resolve) => (headRead = resolve));
    // The first run reads the head, then waits while the log grows and others ask.
    heads.mockImplementationOnce(async () => {
      const head = await headAt();
      headRead();
      await gate;
      return head;
    });
    const first = verification.verify();
    await read;
    const meanwhile = [verification.verify(), verification.verify(), verification.verify()];
    await store.appendToStream('later', [anEvent()], { expectedVersion: 0 });
    release();
    const results = await Promise.all([first, ...meanwhile]);
    expect(runs).toHaveBeenCalledTimes(2);
    expect(results.map((result) => result.verification.ok)).toEqual([true, true, true, true]);
    // The shared second run started after they asked: it reads the head as it then was.
    expect(results.map((result) => result.verification.checked)).toEqual([5, 6, 6, 6]);
    expect(new Set(meanwhile.map((promise) => promise))).toHaveProperty('size', 1);
  });

  it('starts afresh once nothing runs, and after a run that failed', async () => {
    await verification.verify();
    heads.mockRejectedValueOnce(new Error('database unavailable'));
    const failed = verification.verify();
    const after = verification.verify();
    await expect(failed).rejects.toThrow('database unavailable');
    expect((await after).verification).toMatchObject({ ok: true, checked: 5 });
    expect((await verification.verify()).verification.ok).toBe(true);
    expect(runs).toHaveBeenCalledTimes(4);
  });
});
