import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { ADMIN, CHAIR, SUBGROUP, TestService, TestUser, partnerUser, signToken, startService } from './support/app';
import { dayInEngland } from '@app/domain';
import { concreteAnswerChecker } from './support/openapi';

const POLICE = partnerUser('police');
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Texts a spreadsheet would run as formulas if written as they are. */
const HOSTILE = ['=HYPERLINK("http://evil.example","Click")', '+1+1', '-2+3', '@SUM(A1:A2)'];

type Listed = {
  raisedOn: string;
  id: string;
  description: string;
  dueDate: string | null;
  lead: string | null;
  partnerId: string | null;
  daysSlipped: number;
};

describe('lists as CSV and XLSX files, over HTTP', () => {
  let service: TestService;
  let before: string;

  /** The answer as it comes, not parsed as JSON: the files are read by their own readers. */
  const raw = async (path: string, as: TestUser, headers: Record<string, string> = {}) =>
    fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${await signToken(as)}`, ...headers } });
  const csvOf = async (path: string, as: TestUser = SUBGROUP, headers: Record<string, string> = {}) => {
    const answer = await raw(path, as, headers);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/csv');
    expect(answer.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/);
    return parse(await answer.text(), { bom: true }) as string[][];
  };
  const workbookOf = async (path: string, as: TestUser = SUBGROUP) => {
    const answer = await raw(path, as);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe(XLSX);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await answer.arrayBuffer()) as unknown as ExcelJS.Buffer);
    return workbook;
  };
  const sheetOf = async (path: string, as: TestUser = SUBGROUP) => (await workbookOf(path, as)).worksheets[0];
  const list = async (query: string, as: TestUser = SUBGROUP): Promise<Listed[]> =>
    (await service.request('GET', `/actions?limit=500&${query}`, { as })).body.items;

  beforeAll(async () => {
    service = await startService();
    for (const [id, name] of [
      ['police', 'Thames Valley Police'],
      ['health', 'Integrated Care Board'],
    ])
      await service.request('POST', '/partners', { as: ADMIN, body: { id, name } });
    const review = await service.request('POST', '/reviews', {
      as: SUBGROUP,
      body: { reference: '=CSPR-1', title: 'Child U', kind: 'rapid-review', themes: ['Neglect'] },
    });
    const recommendation = await service.request('POST', `/reviews/${review.body.id}/recommendations`, {
      as: SUBGROUP,
      body: { text: 'Share information' },
    });
    before = new Date().toISOString();
    for (const [index, description] of [...HOSTILE, 'Brief every officer', 'Audit 20 cases'].entries()) {
      const action = await service.request('POST', '/actions', {
        as: SUBGROUP,
        body: { recommendationId: recommendation.body.id, description },
      });
      if (index % 3 === 2) continue;
      await service.request('POST', `/actions/${action.body.id}/assign`, {
        as: SUBGROUP,
        body: { partnerId: index % 2 ? 'police' : 'health', dueDate: `2031-0${index + 1}-15`, lead: HOSTILE[index % HOSTILE.length] },
      });
    }
  }, 60_000);
  afterAll(() => service.close());

  it('writes every action the filters find as CSV, cell by cell as the JSON has them, formulas neutralised', async () => {
    const rows = await csvOf('/actions?format=csv');
    const [header, ...body] = rows;
    expect(header.slice(0, 7)).toEqual(['Review', 'Action', 'Partner agency', 'Lead', 'Due', 'First agreed due date', 'Days slipped']);
    const items = await list('');
    expect(body.length).toBe(items.length);
    const at = (name: string) => header.indexOf(name);
    for (const [index, item] of items.entries()) {
      const row = body[index];
      expect(row[at('Action id')]).toBe(item.id);
      expect(row[at('Action')]).toBe(/^[=+\-@]/.test(item.description) ? `'${item.description}` : item.description);
      expect(row[at('Due')]).toBe(item.dueDate ?? '');
      expect(row[at('Lead')]).toBe(item.lead ? `'${item.lead}` : '');
      expect(row[at('Partner agency')]).toBe(
        { police: 'Thames Valley Police', health: 'Integrated Care Board' }[item.partnerId ?? ''] ?? 'Not yet assigned',
      );
      expect(row[at('Review')]).toBe("'=CSPR-1");
      expect(row[at('Days slipped')]).toBe(String(item.daysSlipped));
    }
    // No cell a spreadsheet would run.
    expect(body.flat().filter((cell) => /^[=+\-@]/.test(cell))).toEqual([]);
  });

  it('answers Accept: text/csv with the same file, with the same filters, and only a partner lead’s own actions', async () => {
    const byHeader = await csvOf('/actions?partner=police', SUBGROUP, { accept: 'text/csv' });
    const police = await list('partner=police');
    expect(byHeader.length - 1).toBe(police.length);
    const own = await csvOf('/actions?format=csv', POLICE);
    expect(
      own
        .slice(1)
        .map((row) => row.at(-1))
        .sort(),
    ).toEqual(police.map((item) => item.id).sort());
  });

  it('writes XLSX with a header row, filters on over a named range, real dates and numbers, and text as it is', async () => {
    const workbook = await workbookOf('/actions?format=xlsx&status=assigned&sort=dueDate');
    const sheet = workbook.worksheets[0];
    const items = await list('status=assigned&sort=dueDate');
    expect(sheet.rowCount).toBe(items.length + 1);
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header[1]).toBe('Action');
    // LibreOffice shows filter buttons only over a range the workbook names, as Excel writes it.
    const range = `$A$1:$${String.fromCharCode(64 + header.length)}$${items.length + 1}`;
    expect(sheet.autoFilter).toBe(range.replaceAll('$', ''));
    expect(workbook.definedNames.model).toContainEqual({ name: '_xlnm._FilterDatabase', ranges: [`'${sheet.name}'!${range}`] });
    const at = (name: string) => header.indexOf(name) + 1;
    for (const [index, item] of items.entries()) {
      const row = sheet.getRow(index + 2);
      expect(row.getCell(at('Action id')).value).toBe(item.id);
      expect(row.getCell(at('Due')).value).toEqual(new Date(`${item.dueDate}T00:00:00Z`));
      expect(row.getCell(at('Days slipped')).value).toBe(item.daysSlipped);
      expect(row.getCell(at('Raised on')).value).toEqual(new Date(`${item.raisedOn}T00:00:00Z`));
      // A string cell never runs, whatever it starts with: no guard shows in it (the CSV has one).
      expect(row.getCell(at('Action')).value).toBe(item.description);
      expect(row.getCell(at('Action')).formula).toBeUndefined();
    }
  });

  it('names each sheet in 31 characters or fewer, as Excel and LibreOffice require', async () => {
    const report = await sheetOf('/reports/yearly?format=xlsx', CHAIR);
    expect(report.name).toMatch(/^Report \d{4}-04-01 to \d{4}-03-31$/);
    expect(report.name.length).toBeLessThanOrEqual(31);
    expect((await sheetOf('/changes?format=xlsx', CHAIR)).name.length).toBeLessThanOrEqual(31);
  });

  it('answers every file as the OpenAPI document says, by ?format= and by Accept alike', async () => {
    const undocumented = concreteAnswerChecker((await service.request('GET', '/docs-json')).body);
    const wrong: string[] = [];
    for (const path of ['/actions', '/reviews', '/assurance', '/changes', '/reports/yearly']) {
      for (const [query, headers] of [
        ['?format=csv', {}],
        ['?format=xlsx', {}],
        ['', { accept: 'text/csv' }],
      ] as const) {
        const answer = await raw(`${path}${query}`, CHAIR, headers);
        const reason = undocumented('GET', path, { status: answer.status, headers: answer.headers, body: await answer.arrayBuffer() });
        if (reason) wrong.push(`${path}${query} ${JSON.stringify(headers)}: ${reason}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('writes the reviews, the assurance picture and the changes, as at a past instant too', async () => {
    const reviews = await csvOf('/reviews?format=csv', CHAIR);
    expect(reviews[0].slice(0, 3)).toEqual(['Reference', 'Title', 'Kind']);
    expect(reviews.slice(1).map((row) => row.slice(0, 3))).toEqual([["'=CSPR-1", 'Child U', 'Rapid review']]);

    const assurance = await sheetOf('/assurance?format=xlsx');
    const picture = (await service.request('GET', '/assurance', { as: CHAIR })).body;
    const lines = new Map(
      assurance
        .getSheetValues()
        .slice(2)
        .map((values) => [(values as unknown[])[2], values as unknown[]]),
    );
    for (const partner of picture.partners as { name: string; outstanding: number; overdue: number }[]) {
      expect(lines.get(partner.name)?.slice(3, 5)).toEqual([partner.outstanding, partner.overdue]);
    }
    const past = await csvOf(`/assurance?format=csv&asOf=${before}`, CHAIR);
    expect(past[1].slice(2, 3)).toEqual(['0']);

    const changes = await csvOf(`/changes?format=csv&from=${before}`, CHAIR);
    const json = (await service.request('GET', `/changes?from=${before}`, { as: CHAIR })).body;
    expect(changes.length - 1).toBe(json.items.length);
    expect(changes.slice(1).map((row) => row[changes[0].indexOf('Position')])).toEqual(
      json.items.map((item: { position: string }) => item.position),
    );
  });

  it('writes the changes of more than a page of the log, a page at a time, each row naming its action', async () => {
    const started = new Date().toISOString();
    const header = 'review reference,review title,recommendation,action,partner,raised on,due date,status,closed on,outcome';
    // Imported as having happened today: history from before the window would be one line, not its changes.
    const today = dayInEngland(new Date()).split('-').reverse().join('/');
    const rows = Array.from(
      { length: 400 },
      (_, n) => `CSPR-F,Child F,Share,Paged action ${n},police,${today},30/06/2025,closed,${today},completed`,
    );
    const imported = await fetch(`${service.url}/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signToken(SUBGROUP)}`, 'content-type': 'text/csv' },
      body: [header, ...rows].join('\n'),
    });
    expect(imported.status).toBe(201);
    const { position } = await imported.json();
    const json = (await service.request('GET', `/changes?from=${started}&position=${position}`, { as: CHAIR })).body;
    expect(json.items.length).toBeGreaterThan(1000);
    const changes = await csvOf(`/changes?format=csv&from=${started}`, CHAIR);
    expect(changes.slice(1).map((row) => row[changes[0].indexOf('Position')])).toEqual(
      json.items.map((item: { position: string }) => item.position),
    );
    const described = changes.slice(1).filter((row) => row[changes[0].indexOf('Action')].startsWith('Paged action'));
    expect(described.length).toBe(1200);
  });

  it('refuses what it would refuse as JSON, before writing any file', async () => {
    const unknown = await raw('/actions?format=pdf', SUBGROUP);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ errors: [{ field: 'format' }] });
    const future = await raw('/assurance?format=xlsx&asOf=2999-01-01T00:00:00Z', CHAIR);
    expect(future.status).toBe(400);
    expect(future.headers.get('content-type')).toContain('application/problem+json');
    expect((await raw('/changes?format=csv', POLICE)).status).toBe(403);
  });
});
