/** What a zip archive's central directory says it holds: read from its last bytes, nothing inflated. */
export type ZipDirectory = Readonly<{ entries: number; uncompressedBytes: number }>;

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const END_RECORD_BYTES = 22;
const ENTRY_BYTES = 46;
const MOST_COMMENT = 0xffff;

/** Why the archive's directory cannot be trusted to say what it holds. */
export class UnreadableZip extends Error {}

/**
 * The number of entries and the sum of their uncompressed sizes, from the central directory. An
 * archive whose directory is missing, truncated, or in the ZIP64 form (which only archives of 4 GiB
 * or 65,535 entries need) is refused.
 */
export function readZipDirectory(file: Buffer): ZipDirectory {
  const end = findEndRecord(file);
  const entries = file.readUInt16LE(end + 10);
  const size = file.readUInt32LE(end + 12);
  const start = file.readUInt32LE(end + 16);
  if (entries === 0xffff || size === 0xffffffff || start === 0xffffffff) throw new UnreadableZip('The archive is in the ZIP64 form.');
  if (start + size > end) throw new UnreadableZip('The archive’s directory lies outside it.');
  let uncompressedBytes = 0;
  let at = start;
  for (let entry = 0; entry < entries; entry++) {
    if (at + ENTRY_BYTES > start + size || file.readUInt32LE(at) !== DIRECTORY_ENTRY)
      throw new UnreadableZip('The archive’s directory is damaged.');
    const uncompressed = file.readUInt32LE(at + 24);
    if (uncompressed === 0xffffffff) throw new UnreadableZip('The archive is in the ZIP64 form.');
    uncompressedBytes += uncompressed;
    at += ENTRY_BYTES + file.readUInt16LE(at + 28) + file.readUInt16LE(at + 30) + file.readUInt16LE(at + 32);
  }
  return { entries, uncompressedBytes };
}

/** The end-of-directory record: the last 22 bytes, or further back by the length of a comment. */
function findEndRecord(file: Buffer): number {
  const earliest = Math.max(0, file.length - END_RECORD_BYTES - MOST_COMMENT);
  for (let at = file.length - END_RECORD_BYTES; at >= earliest; at--) {
    if (file.readUInt32LE(at) === END_OF_DIRECTORY && at + END_RECORD_BYTES + file.readUInt16LE(at + 20) <= file.length) return at;
  }
  throw new UnreadableZip('The archive has no directory.');
}
