import ExcelJS from 'exceljs';
import { UnreadableZip, readZipDirectory } from './zip-directory';

async function workbook(rows: number): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Plan');
  for (let n = 0; n < rows; n++) sheet.addRow([`Review ${n}`, 'Share chronologies', `Action ${n}`, 'police']);
  return Buffer.from(await book.xlsx.writeBuffer());
}

describe("a zip archive's directory, read before anything is inflated", () => {
  it('says how many parts a workbook has and what they unpack to', async () => {
    const small = readZipDirectory(await workbook(10));
    const large = readZipDirectory(await workbook(5000));
    expect(small.entries).toBeGreaterThan(5);
    expect(large.entries).toBe(small.entries);
    expect(large.uncompressedBytes).toBeGreaterThan(small.uncompressedBytes + 100_000);
  });

  it('finds the directory behind an archive comment', async () => {
    const file = await workbook(3);
    const commented = Buffer.concat([file, Buffer.from('a comment')]);
    commented.writeUInt16LE(9, file.length - 2);
    expect(readZipDirectory(commented)).toEqual(readZipDirectory(file));
  });

  it('refuses an archive cut short, or bytes that are none', async () => {
    const file = await workbook(3);
    for (const broken of [file.subarray(0, file.length - 30), file.subarray(0, 10), Buffer.from('not a zip at all'), Buffer.alloc(0)]) {
      expect(() => readZipDirectory(broken)).toThrow(UnreadableZip);
    }
  });
});
