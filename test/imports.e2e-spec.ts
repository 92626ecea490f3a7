import ExcelJS from 'exceljs';
import { ADMIN, AUDITOR, CHAIR, SUBGROUP, TestService, TestUser, partnerUser, signToken, startService } from './support/app';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER =
  'Review reference,Review title,Review kind,Recommendation,Action,Partner,Lead,Raised on,Due date,Status,Closed on,Outcome,Themes';
/** A plan as a partnership keeps it: two reviews, one action closed long ago, one withdrawn, three still open (one long overdue). */
const PLAN = [
  HEADER,
  'CSPR-2024-01,Child K: neglect,CSPR,Share chronologies,Adopt the chronology template,county-council,Head of Service,03/02/2024,30/06/2024,closed,12/06/2024,Completed,neglect',
  'CSPR-2024-01,Child K: neglect,CSPR,Share chronologies,Add chronologies to GP records,icb,Named GP,03/02/2024,31/03/2025,open,,,neglect',
  'CSPR-2024-01,Child K: neglect,CSPR,See the child,Brief officers on seeing the child,police,,2024-02-03,2024-09-30,withdrawn,2024-05-01,,',
  'RR-2025-02,Baby L: pre-birth,Rapid review,Assess both parents,Train midwives to assess fathers,icb,Head of Midwifery,01/05/2025,31/12/2099,open,,,pre-birth assessment; information sharing',
  'RR-2025-02,Baby L: pre-birth,Rapid review,Assess both parents,Add fathers to the pre-birth form,Police,,01/05/2025,31/12/2099,open,,,',
].join('\r\n');

type Listed = {
  id: string;
  description: string;
  partnerId: string;
  dueDate: string;
  status: string;
  lead: string | null;
  outcome: string | null;
};

describe('importing the action plan a partnership already has, over HTTP', () => {
  let service: TestService;

  const send = async (body: string | Buffer, type = 'text/csv', query = '', as: TestUser = SUBGROUP) => {
    const response = await fetch(`${service.url}/imports${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signToken(as)}`, 'content-type': type },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), body: text ? JSON.parse(text) : undefined };
  };
  const actions = async (): Promise<Listed[]> =>
    (await service.request('GET', `/actions?limit=500&position=${await service.headPosition()}`, { as: SUBGROUP })).body.items;

  beforeAll(async () => {
    service = await startService();
    for (const [id, name] of [
      ['county-council', 'County Council Children’s Services'],
      ['icb', 'Integrated Care Board'],
      ['police', 'Thames Valley Police'],
    ])
      await service.request('POST', '/partners', { as: ADMIN, body: { id, name } });
  }, 60_000);
  afterAll(() => service.close());

  it('dry-runs a plan: what it would create, writing nothing', async () => {
    const head = await service.headPosition();
    const answer = await send(PLAN, 'text/csv', '?dryRun=true');
    expect(answer).toMatchObject({
      status: 200,
      body: { rows: 5, valid: true, errors: [], wouldCreate: { reviews: 2, recommendations: 3, actions: 5 }, skipped: [] },
    });
    // Each action as it would be added, its dates as read: UK and ISO days alike, a partner by any spelling of its id.
    expect(answer.body.actions.slice(2)).toEqual([
      {
        row: 4,
        reviewReference: 'CSPR-2024-01',
        action: 'Brief officers on seeing the child',
        partnerId: 'police',
        raisedOn: '2024-02-03',
        dueDate: '2024-09-30',
        status: 'withdrawn',
        closedOn: '2024-05-01',
      },
      {
        row: 5,
        reviewReference: 'RR-2025-02',
        action: 'Train midwives to assess fathers',
        partnerId: 'icb',
        raisedOn: '2025-05-01',
        dueDate: '2099-12-31',
        status: 'open',
      },
      {
        row: 6,
        reviewReference: 'RR-2025-02',
        action: 'Add fathers to the pre-birth form',
        partnerId: 'police',
        raisedOn: '2025-05-01',
        dueDate: '2099-12-31',
        status: 'open',
      },
    ]);
    expect(await service.headPosition()).toBe(head);
  });

  it('imports it, with its history dated as it happened, and reads back as the file says', async () => {
    const answer = await send(PLAN);
    expect(answer).toMatchObject({ status: 201, body: { created: { reviews: 2, recommendations: 3, actions: 5 } } });
    const listed = await actions();
    const byDescription = new Map(listed.map((action) => [action.description, action]));
    expect(byDescription.get('Adopt the chronology template')).toMatchObject({
      partnerId: 'county-council',
      dueDate: '2024-06-30',
      status: 'closed',
      outcome: 'completed',
      lead: 'Head of Service',
    });
    expect(byDescription.get('Add chronologies to GP records')).toMatchObject({ partnerId: 'icb', status: 'assigned', overdue: true });
    expect(byDescription.get('Brief officers on seeing the child')).toMatchObject({ status: 'withdrawn' });
    expect(byDescription.get('Add fathers to the pre-birth form')).toMatchObject({ partnerId: 'police', dueDate: '2099-12-31' });
    expect(listed).toHaveLength(5);

    // The audit trail never pretends: recorded now, and saying the day it happened.
    const closed = byDescription.get('Adopt the chronology template')!;
    const history = (await service.request('GET', `/actions/${closed.id}/history`, { as: AUDITOR })).body;
    expect(history.map((entry: { type: string; occurredOn?: string }) => [entry.type, entry.occurredOn])).toEqual([
      ['ActionRaised', '2024-02-03'],
      ['ActionAssigned', '2024-02-03'],
      ['ActionClosed', '2024-06-12'],
    ]);
    expect(history[2].recordedAt.slice(0, 10)).toBe(new Date().toISOString().slice(0, 10));
    expect(history[2].data).toMatchObject({ impactReviewDue: '2024-12-12' });

    // Reports count each event on the day it happened: the closing falls in the 2024 financial year.
    const year = await service.request('GET', '/reports/yearly?from=2024-04-01&to=2025-03-31', { as: CHAIR });
    expect(year.body.actions).toMatchObject({ raised: 0, closed: 1, outstandingAtEnd: 1, overdueAtEnd: 0 });
    const before = await service.request('GET', '/reports/yearly?from=2023-04-01&to=2024-03-31', { as: CHAIR });
    expect(before.body.actions).toMatchObject({ raised: 3, closed: 0, outstandingAtEnd: 3 });
  });

  it('imports the same file again as nothing, and knows a row already imported from another file', async () => {
    const head = await service.headPosition();
    const again = await send(PLAN);
    expect(again).toMatchObject({ status: 200, body: { created: { reviews: 0, recommendations: 0, actions: 0 } } });
    expect(again.body.skipped).toHaveLength(5);
    expect(await service.headPosition()).toBe(head);
    const another = await send(
      [
        HEADER,
        'cspr-2024-01,,,Share chronologies,Add chronologies to GP records,ICB,,,31/03/2025,open,,,',
        'CSPR-2024-01,,,Share chronologies,A new action,police,,,31/03/2027,,,,',
        'CSPR-2024-01,,,Share chronologies,Closed with no due date in the plan,police,,,,closed,01/03/2025,Superseded,',
      ].join('\n'),
    );
    expect(another).toMatchObject({
      status: 201,
      body: { created: { reviews: 0, recommendations: 0, actions: 2 }, skipped: [{ row: 2 }] },
    });
    // An action that ended with no due date in the plan is due the day it ended.
    expect((await actions()).find((action) => action.description === 'Closed with no due date in the plan')).toMatchObject({
      dueDate: '2025-03-01',
      status: 'closed',
      outcome: 'superseded',
    });
  });

  it('refuses a file with any bad row, listing every error by row and column, and writes nothing', async () => {
    const head = await service.headPosition();
    const bad = [
      HEADER,
      'CSPR-2026-01,Child M,CSPR,Rec,An action,nobody,,,31/03/2027,open,,,',
      'CSPR-2026-01,Child M,CSPR,Rec,Another action,police,,,31/02/2027,open,,,',
      'CSPR-2026-01,Child M,CSPR,Rec,Another action,police,,,30/04/2027,open,,,',
      'CSPR-2026-01,Child M,CSPR,Rec,Call the duty desk,police,+44 1865 123456,,31/04/2027,open,,,',
      'CSPR-2026-01,Child M,CSPR,Rec,Closed without a date,police,,,30/04/2027,closed,,Completed,',
      'CSPR-2026-01,Child M,CSPR,,No recommendation,police,,,30/04/2027,open,,,',
      'CSPR-2026-01,Child M,CSPR,Rec,No due date,police,,,,open,,,',
    ].join('\n');
    const answer = await send(bad);
    expect(answer.status).toBe(422);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body).toMatchObject({ code: 'plan-has-errors', rows: 7, valid: false });
    expect(answer.body.errors).toEqual([
      {
        row: 2,
        field: 'partner',
        message:
          'There is no partner agency "nobody": the partners are county-council (County Council Children’s Services), icb (Integrated Care Board), police (Thames Valley Police)',
      },
      { row: 3, field: 'due date', message: 'Due date must be a real date, like 31/03/2026' },
      { row: 4, field: 'action', message: 'The same action for the same partner and review is on row 3' },
      { row: 5, field: 'due date', message: 'Due date must be a real date, like 31/03/2026' },
      { row: 6, field: 'closed on', message: 'Enter the day a closed action was closed' },
      { row: 7, field: 'recommendation', message: 'Enter the recommendation' },
      { row: 8, field: 'due date', message: 'Enter the due date' },
    ]);
    expect(await service.headPosition()).toBe(head);
    // The dry run gives the same list, with 200.
    expect(await send(bad, 'text/csv', '?dryRun=true')).toMatchObject({ status: 200, body: { valid: false, errors: answer.body.errors } });
  });

  it('names a missing column, an empty file, a file that is not a spreadsheet and a locked workbook, and writes nothing', async () => {
    const head = await service.headPosition();
    expect((await send('Review reference,Recommendation,Action,Due date\nR,Rec,A,31/03/2027')).body.errors).toEqual([
      {
        row: 1,
        field: 'partner',
        message: 'The column "partner" is missing: the header row must name review reference, recommendation, action, partner',
      },
    ]);
    expect(await send('')).toMatchObject({ status: 400, body: { code: 'unreadable-plan', detail: expect.stringContaining('empty') } });
    expect(await send(Buffer.from('%PDF-1.7 not a spreadsheet'), XLSX)).toMatchObject({
      status: 400,
      body: { detail: 'The file is not an XLSX spreadsheet this service can read.' },
    });
    const locked = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]);
    expect(await send(locked, XLSX)).toMatchObject({ status: 400, body: { detail: expect.stringContaining('password-protected') } });
    expect((await send('a,b', 'application/pdf')).status).toBe(415);
    expect(await service.headPosition()).toBe(head);
  });

  it('refuses more than 10,000 rows and more than 5 MiB, saying the limit', async () => {
    const rows = Array.from({ length: 10_001 }, (_, index) => `R-${index},T,CSPR,Rec,Action ${index},police,,,31/03/2027,open,,,`);
    expect(await send([HEADER, ...rows].join('\n'))).toMatchObject({
      status: 413,
      body: { detail: expect.stringContaining('more than 10,000 rows') },
    });
    expect(await send(`${HEADER}\n${'x'.repeat(5 * 1024 * 1024)}`)).toMatchObject({
      status: 413,
      body: { detail: expect.stringContaining('5 MiB') },
    });
  });

  it('reads XLSX: real dates, formulas refused; and the template lists the partners', async () => {
    const template = await fetch(`${service.url}/imports/template.xlsx`, {
      headers: { authorization: `Bearer ${await signToken(SUBGROUP)}` },
    });
    expect(template.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await template.arrayBuffer()) as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0];
    expect((sheet.getRow(1).values as string[]).slice(1)).toEqual([
      ...HEADER.toLowerCase().split(',').slice(0, 3),
      'commissioned on',
      'published on',
      ...HEADER.toLowerCase().split(',').slice(3),
    ]);
    expect(sheet.getCell('H2').dataValidation).toMatchObject({ type: 'list' });
    expect(sheet.getCell('H1001').dataValidation).toMatchObject({ type: 'list' });
    expect(sheet.getCell('H1002').dataValidation).toBeUndefined();
    const lists = workbook.getWorksheet('Lists')!;
    // Agencies by their names, which the import reads as it reads their short names.
    expect(lists.getColumn(1).values.slice(2)).toEqual([
      'County Council Children’s Services',
      'Integrated Care Board',
      'Thames Valley Police',
    ]);

    // The example is on a sheet of its own: the template as it comes imports nothing by mistake.
    expect(sheet.actualRowCount).toBe(1);
    const asItComes = Buffer.from(await workbook.xlsx.writeBuffer());
    expect((await send(asItComes, XLSX, '?dryRun=true')).body).toMatchObject({ rows: 0, wouldCreate: { reviews: 0, actions: 0 } });
    // Its example row, copied to the plan and filled in with a new review, imports as it is.
    sheet.getRow(2).values = workbook.getWorksheet('Example')!.getRow(2).values;
    sheet.getCell('A2').value = 'CSPR-2023-09';
    sheet.getCell('G2').value = 'An action from the template';
    const filled = Buffer.from(await workbook.xlsx.writeBuffer());
    // Sent as bytes with no type, it is known as a workbook by what it is.
    expect(await send(filled, 'application/octet-stream')).toMatchObject({ status: 201, body: { created: { reviews: 1, actions: 1 } } });
    const imported = (await actions()).find((action) => action.description === 'An action from the template')!;
    expect(imported).toMatchObject({
      partnerId: 'county-council',
      dueDate: '2025-06-30',
      status: 'closed',
      themes: ['neglect', 'multi-agency chronologies'],
    });

    sheet.getCell('A2').value = 'CSPR-2023-10';
    sheet.getCell('G2').value = { formula: 'CONCAT("a","b")', result: 'ab' } as ExcelJS.CellFormulaValue;
    const withFormula = Buffer.from(await workbook.xlsx.writeBuffer());
    expect((await send(withFormula, XLSX)).body.errors).toEqual([
      { row: 2, field: 'action', message: 'The cell holds a formula: enter the value itself' },
    ]);
  });

  it('makes each review once when two imports of one file run at once', async () => {
    const plan = [
      HEADER,
      ...Array.from(
        { length: 40 },
        (_, index) => `CSPR-2022-0${index % 3},T,CSPR,Rec ${index % 5},Concurrent ${index},police,,,31/03/2027,open,,,`,
      ),
    ].join('\n');
    const [first, second] = await Promise.all([send(plan), send(plan)]);
    expect([first.status, second.status].sort()).toEqual(expect.arrayContaining([201]));
    const sum = (key: 'reviews' | 'recommendations' | 'actions') => first.body.created[key] + second.body.created[key];
    expect({ reviews: sum('reviews'), recommendations: sum('recommendations'), actions: sum('actions') }).toEqual({
      reviews: 3,
      recommendations: 15,
      actions: 40,
    });
    const reviews = (await service.request('GET', `/reviews?position=${await service.headPosition()}`, { as: SUBGROUP })).body;
    expect(reviews.filter((review: { reference: string }) => review.reference.startsWith('CSPR-2022')).length).toBe(3);
    expect((await actions()).filter((action) => action.description.startsWith('Concurrent')).length).toBe(40);
  });

  it('takes a file upload on the import page alone: the JSON API refuses multipart bodies', async () => {
    const form = new FormData();
    form.append('note', 'sent as a form a browser could post from another site');
    const answer = await fetch(`${service.url}/reviews`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signToken(SUBGROUP)}` },
      body: form,
    });
    expect(answer.status).toBe(415);
  });

  it('reads a CSV as Excel and LibreOffice save it: Windows-1252 with semicolons, UTF-16 with tabs, UTF-8 with its mark', async () => {
    const description = 'Children’s social care – brief the café staff';
    const lines = [
      'Review reference,Review title,Review kind,Recommendation,Action,Partner,Lead,Due date,Status',
      `CSPR-2026-09,Child W,CSPR,Listen to the child,${description},police,+44 1865 123456,31/12/2099,open`,
    ];
    const windows1252 = Buffer.from(lines.join('\r\n').replaceAll(',', ';').replaceAll('’', '\x92').replaceAll('–', '\x96'), 'latin1');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines.join('\r\n').replaceAll(',', '\t'), 'utf16le')]);
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\n'), 'utf8')]);
    for (const file of [windows1252, utf16, utf8]) {
      const checked = await send(file, 'text/csv', '?dryRun=true');
      expect(checked.body).toMatchObject({ valid: true, errors: [], wouldCreate: { actions: 1 } });
    }
    expect((await send(windows1252)).status).toBe(201);
    // A phone number starts with "+", as the API takes it.
    expect((await actions()).filter((action) => action.description.startsWith('Children'))).toEqual([
      expect.objectContaining({ description, partnerId: 'police', dueDate: '2099-12-31', lead: '+44 1865 123456' }),
    ]);
    // A file this service wrote comes back in as it went out: its formula guard comes off.
    const exported = [lines[0], `CSPR-2026-09,Child W,CSPR,Listen to the child,'=Brief the duty desk,police,,31/12/2099,open`].join('\n');
    expect((await send(exported)).status).toBe(201);
    expect((await actions()).filter((action) => action.description.includes('duty desk')).map((action) => action.description)).toEqual([
      '=Brief the duty desk',
    ]);
  });

  it('tells whoever sends a LibreOffice spreadsheet (.ods) to save it as .xlsx', async () => {
    // An OpenDocument file: a zip whose first entry, stored as it is, names its media type.
    const mimetype = Buffer.from('application/vnd.oasis.opendocument.spreadsheet');
    const header = Buffer.alloc(30);
    header.write('PK\x03\x04', 0, 'latin1');
    header.writeUInt32LE(mimetype.length, 18);
    header.writeUInt32LE(mimetype.length, 22);
    header.writeUInt16LE('mimetype'.length, 26);
    const ods = Buffer.concat([header, Buffer.from('mimetype'), mimetype, Buffer.alloc(200)]);
    for (const [type, status] of [
      ['application/octet-stream', 400],
      ['application/vnd.oasis.opendocument.spreadsheet', 415],
    ] as const) {
      const answer = await send(ods, type, '?dryRun=true');
      expect(answer).toMatchObject({ status, body: { detail: expect.stringContaining('save it as .xlsx') } });
    }
  });

  it('is the subgroup’s to do', async () => {
    expect((await send(PLAN, 'text/csv', '?dryRun=true', partnerUser('police'))).status).toBe(403);
    expect((await send(PLAN, 'text/csv', '?dryRun=true', CHAIR)).status).toBe(403);
  });
});
