import { canonicalJson } from './canonical-json';
import { ChainedFields, chainHash, chainedTextOf } from './hash-chain';

const event: ChainedFields = {
  position: 42n,
  streamId: 'action-0f8e\u00e9"\\\n',
  version: 3,
  eventId: '4c9a7e56-2a8f-4a37-9f0e-6b3c1d2e5f70',
  type: 'EvidenceSubmitted',
  recordedAt: new Date('2026-11-29T06:30:31.120Z'),
  data: { summary: 'Audit of 20 files \u2014 \ud83d\ude00 done', b: [1, 2.5, 1e21, -0, null, true], a: { z: 1, '\u00e9': 2, A: 3 } },
  metadata: { actor: { sub: 'sam', name: 'Sam', roles: ['subgroup'], partner: null }, schemaVersion: 1 },
};

describe('the hash chain', () => {
  it('hashes the canonical JSON of every field of the event', () => {
    const whole = canonicalJson({
      position: '42',
      stream: event.streamId,
      version: event.version,
      eventId: event.eventId,
      type: event.type,
      recordedAt: '2026-11-29T06:30:31.120Z',
      data: event.data,
      metadata: event.metadata,
    });
    expect(chainedTextOf(event)).toBe(whole);
  });

  it('gives the hash it has always given: chains and signed checkpoints already kept stay valid', () => {
    expect(chainHash('ab'.repeat(32), event)).toBe('37aa22a1bc9b49658ae5de85175b1ca0326b390144fe2d5ce89235c68cf395c6');
  });

  it('changes with any field and with the previous hash', () => {
    const hash = chainHash('ab'.repeat(32), event);
    expect(chainHash('ac'.repeat(32), event)).not.toBe(hash);
    expect(chainHash('ab'.repeat(32), { ...event, version: 4 })).not.toBe(hash);
    expect(chainHash('ab'.repeat(32), { ...event, recordedAt: new Date('2026-11-29T06:30:31.121Z') })).not.toBe(hash);
    expect(chainHash('ab'.repeat(32), { ...event, data: { ...event.data, b: [] } })).not.toBe(hash);
  });
});
