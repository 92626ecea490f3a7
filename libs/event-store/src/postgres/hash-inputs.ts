import { PoolClient } from 'pg';
import { to } from 'pg-copy-streams';
import { HashInput } from '../event-store.port';
import { HASHED_TEXT } from '../hash-chain';

/** What `chainedText` covers, then the event's hash; in this order. */
const COLUMNS = ['position', 'stream_id', 'version', 'event_id', 'type', 'data', 'metadata', 'recorded_at', 'hash'];
const [POSITION, STREAM, VERSION, EVENT_ID, TYPE, DATA, METADATA, RECORDED_AT, HASH] = COLUMNS.keys();

/**
 * The events after `after` up to `until` as their hash inputs, read with one binary `COPY`: no
 * row objects, no text conversions in PostgreSQL, no JSON parsed. Stops when `visit` answers false,
 * and answers whether it read to the end: a `COPY` left unread leaves the connection unusable.
 */
export async function scanHashInputs(
  client: PoolClient,
  after: bigint,
  until: bigint,
  visit: (event: HashInput) => boolean,
): Promise<boolean> {
  const copy = client.query(
    to(
      `COPY (SELECT ${COLUMNS.join(', ')} FROM events WHERE position > ${after} AND position <= ${until} ORDER BY position) TO STDOUT (FORMAT binary)`,
    ),
  );
  const rows = new BinaryCopyRows(COLUMNS.length);
  const writer = new HashInputWriter();
  const visitRow = (row: Buffer, field: Int32Array) =>
    visit({
      position: row.readBigInt64BE(field[2 * POSITION]),
      input: writer.write(row, field),
      hash: row.toString('hex', field[2 * HASH], field[2 * HASH + 1]),
    });
  for await (const chunk of copy) {
    if (!rows.push(chunk as Buffer, visitRow)) return false;
  }
  return true;
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** The signature, a flags word and the length of a header extension that follows. */
const HEADER_LENGTH = SIGNATURE.length + 8;
const END_OF_ROWS = -1;

/** PostgreSQL's binary `COPY` format cut into rows, each row's fields as start and end offsets. */
export class BinaryCopyRows {
  private pending?: Buffer;
  private headerRead = false;
  private readonly field: Int32Array;

  constructor(private readonly columns: number) {
    this.field = new Int32Array(2 * columns);
  }

  /** Hands `row` every row the chunk completes; false when `row` answered false. */
  push(chunk: Buffer, row: (buffer: Buffer, field: Int32Array) => boolean): boolean {
    const buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let offset = this.headerRead ? 0 : this.skipHeader(buffer);
    if (offset < 0) {
      this.pending = buffer;
      return true;
    }
    for (let end = this.readRow(buffer, offset); end !== undefined; end = this.readRow(buffer, offset)) {
      if (end === END_OF_ROWS) return true;
      if (!row(buffer, this.field)) return false;
      offset = end;
    }
    if (offset < buffer.length) this.pending = buffer.subarray(offset);
    return true;
  }

  /** Where the rows start, or -1 if the header is not all here yet. */
  private skipHeader(buffer: Buffer): number {
    if (buffer.length < HEADER_LENGTH) return -1;
    if (!buffer.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
    const start = HEADER_LENGTH + buffer.readInt32BE(SIGNATURE.length + 4);
    if (buffer.length < start) return -1;
    this.headerRead = true;
    return start;
  }

  /** The end of the row at `offset`, its fields marked; undefined if it is not all here, END_OF_ROWS at the end. */
  private readRow(buffer: Buffer, offset: number): number | undefined {
    if (buffer.length - offset < 2) return undefined;
    const fields = buffer.readInt16BE(offset);
    if (fields === END_OF_ROWS) return END_OF_ROWS;
    if (fields !== this.columns) throw new Error(`a binary COPY row of ${fields} fields, not ${this.columns}`);
    let at = offset + 2;
    for (let column = 0; column < fields; column++) {
      if (buffer.length - at < 4) return undefined;
      // NULL (-1) reads as empty: none of the columns may hold one, and an empty field does not hash.
      const length = Math.max(0, buffer.readInt32BE(at));
      at += 4;
      if (buffer.length - at < length) return undefined;
      this.field[2 * column] = at;
      at += length;
      this.field[2 * column + 1] = at;
    }
    return at;
  }
}

const ascii = (text: string) => Buffer.from(text, 'latin1');
// The event id (a UUID: nothing to escape) is written between quotes these parts carry.
const DATA_KEY = ascii(HASHED_TEXT.beforeData);
const EVENT_ID_KEY = ascii(`${HASHED_TEXT.beforeEventId}"`);
const METADATA_KEY = ascii(`"${HASHED_TEXT.beforeMetadata}`);
const POSITION_KEY = ascii(HASHED_TEXT.beforePosition);
const RECORDED_AT_KEY = ascii(HASHED_TEXT.beforeRecordedAt);
const STREAM_KEY = ascii(HASHED_TEXT.beforeStream);
const TYPE_KEY = ascii(HASHED_TEXT.beforeType);
const VERSION_KEY = ascii(HASHED_TEXT.beforeVersion);
const HEX_DIGITS = ascii(Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0')).join(''));
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
const [QUOTE, BACKSLASH, DASH, CLOSING_BRACE, ZERO, Z] = ascii('"\\-}0Z');
const SHORT_COPY = 64;
const HASH_BYTES = 32;
/** A 64-bit integer whose high word is below this in magnitude is exact as a double (2^53). */
const EXACT_HIGH_WORD = 2 ** 21;
const spanOf = (field: Int32Array, column: number) => field[2 * column + 1] - field[2 * column];

/**
 * Writes the hash input of a row in PostgreSQL's binary forms, its text byte for byte what
 * `chainedText` writes from the same event (`hash-inputs.spec.ts` holds them to that): data and
 * metadata are already canonical JSON, strings are copied unless JSON must escape them, the rest
 * is formatted here. The helpers below take the offset to write at and answer the offset after.
 */
export class HashInputWriter {
  private out = Buffer.allocUnsafe(64 * 1024);
  private readonly instants = new InstantWriter();

  /** The input, its first 32 bytes left for the hash before it, in a buffer this writer reuses for the next row. */
  write(row: Buffer, field: Int32Array): Buffer {
    // Escaped, a string is at most six times as long (\u001f); the rest is short.
    const most = HASH_BYTES + spanOf(field, DATA) + spanOf(field, METADATA) + 6 * (spanOf(field, STREAM) + spanOf(field, TYPE)) + 256;
    if (this.out.length < most) this.out = Buffer.allocUnsafe(2 * most);
    const out = this.out;
    let at = putBytes(out, HASH_BYTES, DATA_KEY, 0, DATA_KEY.length);
    at = putBytes(out, at, row, field[2 * DATA], field[2 * DATA + 1]);
    at = putBytes(out, at, EVENT_ID_KEY, 0, EVENT_ID_KEY.length);
    at = putUuid(out, at, row, field[2 * EVENT_ID]);
    at = putBytes(out, at, METADATA_KEY, 0, METADATA_KEY.length);
    at = putBytes(out, at, row, field[2 * METADATA], field[2 * METADATA + 1]);
    at = putBytes(out, at, POSITION_KEY, 0, POSITION_KEY.length);
    at = putInteger(out, at, row, field[2 * POSITION]);
    at = putBytes(out, at, RECORDED_AT_KEY, 0, RECORDED_AT_KEY.length);
    at = this.instants.put(out, at, row, field[2 * RECORDED_AT]);
    at = putBytes(out, at, STREAM_KEY, 0, STREAM_KEY.length);
    at = putJsonString(out, at, row, field[2 * STREAM], field[2 * STREAM + 1]);
    at = putBytes(out, at, TYPE_KEY, 0, TYPE_KEY.length);
    at = putJsonString(out, at, row, field[2 * TYPE], field[2 * TYPE + 1]);
    at = putBytes(out, at, VERSION_KEY, 0, VERSION_KEY.length);
    at = putDigits(out, at, row.readInt32BE(field[2 * VERSION]));
    out[at++] = CLOSING_BRACE;
    return out.subarray(0, at);
  }
}

/** Short runs byte by byte: a native copy costs more than the bytes it moves. */
function putBytes(out: Buffer, at: number, source: Buffer, start: number, end: number): number {
  if (end - start > SHORT_COPY) return at + source.copy(out, at, start, end);
  for (let from = start; from < end; from++) out[at++] = source[from];
  return at;
}

/** Lower-case hex in the 8-4-4-4-12 groups PostgreSQL and `randomUUID` write. */
function putUuid(out: Buffer, at: number, row: Buffer, start: number): number {
  for (let index = 0; index < 16; index++) {
    if (index === 4 || index === 6 || index === 8 || index === 10) out[at++] = DASH;
    const digits = 2 * row[start + index];
    out[at++] = HEX_DIGITS[digits];
    out[at++] = HEX_DIGITS[digits + 1];
  }
  return at;
}

/** A 64-bit integer in decimal; in floating point while that is exact. */
function putInteger(out: Buffer, at: number, row: Buffer, start: number): number {
  const high = row.readInt32BE(start);
  if (high < 0 || high >= EXACT_HIGH_WORD) return at + out.write(row.readBigInt64BE(start).toString(), at, 'latin1');
  return putDigits(out, at, high * 2 ** 32 + row.readUInt32BE(start + 4));
}

/** A non-negative integer, exact in floating point, in decimal; a negative one as `toString` writes it. */
function putDigits(out: Buffer, at: number, value: number): number {
  if (value < 0) return at + out.write(value.toString(), at, 'latin1');
  let end = at + 1;
  for (let rest = Math.floor(value / 10); rest > 0; rest = Math.floor(rest / 10)) end++;
  for (let digit = end - 1, rest = value; digit >= at; digit--, rest = Math.floor(rest / 10)) out[digit] = ZERO + (rest % 10);
  return end;
}

/** A string as `JSON.stringify` writes it: as it is, quoted, unless it holds a quote, a backslash or a control character. */
function putJsonString(out: Buffer, at: number, row: Buffer, start: number, end: number): number {
  const opening = at;
  out[at++] = QUOTE;
  for (let from = start; from < end; from++) {
    const byte = row[from];
    if (byte === QUOTE || byte === BACKSLASH || byte < 0x20)
      return opening + out.write(JSON.stringify(row.toString('utf8', start, end)), opening, 'utf8');
    out[at++] = byte;
  }
  out[at++] = QUOTE;
  return at;
}

/** Microseconds since 2000 as `toISOString` writes the millisecond, the text up to the second kept while it lasts. */
class InstantWriter {
  private second = Number.NaN;
  private secondPrefix = Buffer.alloc(0);

  put(out: Buffer, at: number, row: Buffer, start: number): number {
    const high = row.readInt32BE(start);
    const milliseconds =
      (high > -EXACT_HIGH_WORD && high < EXACT_HIGH_WORD
        ? Math.floor((high * 2 ** 32 + row.readUInt32BE(start + 4)) / 1000)
        : Number(flooredThousandth(row.readBigInt64BE(start)))) + POSTGRES_EPOCH_MS;
    const second = Math.floor(milliseconds / 1000);
    if (second !== this.second) {
      this.second = second;
      const iso = new Date(second * 1000).toISOString();
      this.secondPrefix = ascii(iso.slice(0, iso.length - 4));
    }
    at = putBytes(out, at, this.secondPrefix, 0, this.secondPrefix.length);
    const millisecond = milliseconds - second * 1000;
    out[at++] = ZERO + Math.floor(millisecond / 100);
    out[at++] = ZERO + (Math.floor(millisecond / 10) % 10);
    out[at++] = ZERO + (millisecond % 10);
    out[at++] = Z;
    return at;
  }
}

const flooredThousandth = (value: bigint) => value / 1000n - (value % 1000n < 0n ? 1n : 0n);
