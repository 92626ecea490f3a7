import { randomBytes, randomUUID } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import { ChainedFields, chainedTextOf } from '../hash-chain';
import { BinaryCopyRows, HashInputWriter } from './hash-inputs';

const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);

/**
 * An event as PostgreSQL's binary COPY sends the columns `scanHashInputs` selects, written
 * independently of the reader; its instant with microseconds past the millisecond the hash covers.
 */
function binaryRow(event: ChainedFields, hash: Buffer): Buffer {
  const int32 = (value: number) => {
    const bytes = Buffer.alloc(4);
    bytes.writeInt32BE(value);
    return bytes;
  };
  const fields = [
    int64(event.position),
    Buffer.from(event.streamId, 'utf8'),
    int32(event.version),
    Buffer.from(event.eventId.replaceAll('-', ''), 'hex'),
    Buffer.from(event.type, 'utf8'),
    Buffer.from(canonicalJson(event.data), 'utf8'),
    Buffer.from(canonicalJson(event.metadata), 'utf8'),
    int64(BigInt(event.recordedAt.getTime() - POSTGRES_EPOCH_MS) * 1000n + 600n),
    hash,
  ];
  return Buffer.concat([Buffer.from([0, fields.length]), ...fields.flatMap((field) => [int32(field.length), field])]);
}

function int64(value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(value);
  return bytes;
}

const HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(4), Buffer.from([0, 0, 0, 0])]);
const TRAILER = Buffer.from([0xff, 0xff]);

const strings = [
  'action-1',
  'quote "',
  'back\\slash',
  'line\nbreak',
  'tab\tand\u0001',
  'caf\u00e9 \u2014 \ud83d\ude00',
  '\u2028\u2029\u007f',
  '',
];
const instants = [
  '2026-11-29T06:30:31.120Z',
  '2000-01-01T00:00:00.000Z',
  '1999-12-31T23:59:59.999Z',
  '1969-07-20T20:17:40.001Z',
  '+010000-01-01T00:00:00.500Z',
];

function someEvent(index: number): ChainedFields {
  return {
    position: index === 0 ? 2n ** 62n : BigInt(index + 1),
    streamId: strings[index % strings.length],
    version: index === 1 ? 2 ** 31 - 1 : index + 1,
    eventId: randomUUID(),
    type: strings[(index + 1) % strings.length] || 'Typed',
    recordedAt: new Date(instants[index % instants.length]),
    data:
      index % 2
        ? { n: index, text: 'x'.repeat(index * 7) }
        : { note: strings[index % strings.length], nested: { b: [1, 2.5, null], a: true } },
    metadata: { actor: { sub: `user-${index}`, roles: ['subgroup'] }, schemaVersion: 1 },
  };
}

describe('hash inputs from binary COPY', () => {
  const events = Array.from({ length: 40 }, (_, index) => someEvent(index));
  const hashes = events.map(() => randomBytes(32));
  const stream = Buffer.concat([HEADER, ...events.map((event, index) => binaryRow(event, hashes[index])), TRAILER]);

  /** What the reader and the writer make of the stream cut into chunks at the given sizes. */
  function readInChunks(chunkSize: (index: number) => number): Array<{ text: string; hash: string }> {
    const rows = new BinaryCopyRows(9);
    const writer = new HashInputWriter();
    const read: Array<{ text: string; hash: string }> = [];
    for (let start = 0, index = 0; start < stream.length; index++) {
      const end = Math.min(stream.length, start + chunkSize(index));
      rows.push(stream.subarray(start, end), (row, field) => {
        read.push({ text: writer.write(row, field).toString('utf8', 32), hash: row.toString('hex', field[16], field[17]) });
        return true;
      });
      start = end;
    }
    return read;
  }

  const expected = events.map((event, index) => ({
    text: chainedTextOf(event),
    hash: hashes[index].toString('hex'),
  }));

  it('writes, after 32 bytes for the hash before, the text chainedText writes, whatever the strings and instants', () => {
    expect(readInChunks(() => stream.length)).toEqual(expected);
  });

  it('reads rows cut anywhere across chunks', () => {
    expect(readInChunks(() => 1)).toEqual(expected);
    expect(readInChunks((index) => 1 + ((index * 37) % 251))).toEqual(expected);
  });

  it('stops when told to, and refuses what is not a binary COPY stream', () => {
    let seen = 0;
    expect(new BinaryCopyRows(9).push(stream, () => ++seen < 3)).toBe(false);
    expect(seen).toBe(3);
    expect(() => new BinaryCopyRows(9).push(Buffer.from('position,stream\n1,a\n2,b\n'), () => true)).toThrow('not a binary COPY stream');
    expect(() => new BinaryCopyRows(8).push(stream, () => true)).toThrow('a binary COPY row of 9 fields, not 8');
  });
});
