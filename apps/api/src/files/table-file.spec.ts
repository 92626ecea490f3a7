import { buffer } from 'node:stream/consumers';
import { neutralised, tableFile } from './table-file';

describe('files of a list', () => {
  it('writes text a spreadsheet would run as a formula with an apostrophe first, and leaves the rest alone', () => {
    expect(['=1+1', '+44 20', '-x', '@SUM(A1)', '\t=1', 'Audit', "Child's plan", ''].map(neutralised)).toEqual([
      "'=1+1",
      "'+44 20",
      "'-x",
      "'@SUM(A1)",
      "'\t=1",
      'Audit',
      "Child's plan",
      '',
    ]);
  });

  it('writes CSV with its header, numbers as numbers, yes and no, and empty cells for nothing', async () => {
    const file = await tableFile(
      'csv',
      'list',
      [
        { header: 'Name', cell: (row: { name: string; n: number; ok?: boolean }) => row.name },
        { header: 'Slipped', type: 'number', cell: (row) => row.n },
        { header: 'Overdue', cell: (row) => row.ok },
      ],
      async (write) => {
        await write([{ name: '-5 days', n: -5, ok: true }]);
        await write([{ name: 'On time', n: 0 }]);
      },
    );
    expect(file.fileName).toBe('list.csv');
    expect((await buffer(file.stream)).toString('utf8')).toBe("\ufeffName,Slipped,Overdue\r\n'-5 days,-5,yes\r\nOn time,0,\r\n");
  });

  it('writes an instant as the clocks in England showed it, summer or winter', async () => {
    const file = await tableFile('csv', 'times', [{ header: 'Recorded', type: 'instant', cell: (row: string) => row }], async (write) =>
      write(['2026-07-01T12:30:00.000Z', '2026-12-08T02:05:59.999Z']),
    );
    expect((await buffer(file.stream)).toString('utf8')).toBe('\ufeffRecorded\r\n2026-07-01 13:30\r\n2026-12-08 02:05\r\n');
  });

  it('throws a failure that comes before any row, so that it is answered as an error, not as a broken file', async () => {
    await expect(
      tableFile('xlsx', 'list', [{ header: 'Name', cell: (row: string) => row }], async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
  });
});
