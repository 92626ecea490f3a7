import ExcelJS from 'exceljs';
import { ADMIN, SUBGROUP, TestService, signToken, startService } from './support/app';
import { zipOf } from '@app/testing';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER =
  'review reference,review title,review kind,recommendation,action,partner,lead,raised on,due date,status,closed on,outcome,themes';
const row = (action: string, rest: Partial<Record<'due' | 'status' | 'closed' | 'outcome' | 'themes' | 'title', string>> = {}) =>
  [
    'CSPR-2025-09',
    rest.title ?? 'Child P',
    'CSPR',
    'Share chronologies',
    action,
    'police',
    '',
    '',
    rest.due ?? '31/03/2027',
    rest.status ?? 'open',
    rest.closed ?? '',
    rest.outcome ?? '',
    rest.themes ?? 'neglect',
  ].join(',');

/** A workbook with the plan's header and one action whose due date cell holds `due`, formatted as a date. */
async function workbookDue(due: number): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Plan');
  sheet.addRow(HEADER.split(','));
  sheet.addRow(['CSPR-2025-10', 'Child Q', 'CSPR', 'See the child', `Due on serial ${due}`, 'police', '', '', due, 'open', '', '', '']);
  sheet.getCell('I2').numFmt = 'dd/mm/yyyy';
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('an import holds to the rules of what the log keeps, whole or not at all, within bounds', () => {
  let service: TestService;
  let token: string;

  const send = async (body: string | Buffer, type = 'text/csv', query = '') => {
    const response = await fetch(`${service.url}/imports${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    service = await startService();
    token = await signToken(SUBGROUP);
    await service.request('POST', '/partners', { as: ADMIN, body: { id: 'police', name: 'Thames Valley Police' } });
  }, 60_000);
  afterAll(() => service.close());

  it('reads a spreadsheet date that is no day as an error in its row, never as a date of year -838', async () => {
    for (const due of [-300_000, 1e20, 20]) {
      const answer = await send(await workbookDue(due), XLSX, '?dryRun=true');
      expect({ due, status: answer.status, valid: answer.body.valid }).toEqual({ due, status: 200, valid: false });
      expect(answer.body.errors).toEqual([{ row: 2, field: 'due date', message: expect.stringMatching(/^Due date (must be|holds)/) }]);
    }
    const head = await service.headPosition();
    expect((await send(await workbookDue(-300_000), XLSX)).status).toBe(422);
    expect(await service.headPosition()).toBe(head);
  });

  it('holds every cell to the API’s rules: controls, invisible text and too many themes are errors, found by the dry run', async () => {
    const plan = [
      HEADER,
      row('Sound action'),
      row('Another sound one'),
      row('Nul \u0000 in the third row'),
      row('Escape \u001b[31m red'),
      row('\u200b\u200b'),
      row('Themes galore', { themes: `"${Array.from({ length: 2000 }, (_, n) => `theme ${n}`).join(';')}"` }),
    ].join('\n');
    const dry = await send(plan, 'text/csv', '?dryRun=true');
    expect(dry.body.errors).toEqual([
      { row: 4, field: 'action', message: 'Action must not hold control characters other than tab and newline' },
      { row: 5, field: 'action', message: 'Action must not hold control characters other than tab and newline' },
      { row: 6, field: 'action', message: 'Action must not be blank' },
      { row: 7, field: 'themes', message: 'Themes must be 20 themes or fewer' },
    ]);
    const head = await service.headPosition();
    const refused = await send(plan);
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual(dry.body.errors);
    expect(await service.headPosition()).toBe(head);
  });

  it('writes nothing when a row is refused only once its events are decided, and the dry run says so first', async () => {
    // Closed on 1 October 2100: the impact check it sets, six months on, would fall after 2100.
    const plan = [
      HEADER,
      row('Early and sound'),
      row('Closed too late', { status: 'closed', closed: '01/10/2100', outcome: 'completed' }),
    ].join('\n');
    const dry = await send(plan, 'text/csv', '?dryRun=true');
    expect(dry.body).toMatchObject({ valid: false, errors: [{ row: 3, field: 'closed on', message: expect.stringContaining('2100') }] });
    const head = await service.headPosition();
    expect((await send(plan)).status).toBe(422);
    expect(await service.headPosition()).toBe(head);
    const sound = await send([HEADER, row('Early and sound')].join('\n'));
    expect(sound).toMatchObject({ status: 201, body: { created: { reviews: 1, recommendations: 1, actions: 1 } } });
  });

  // How long these hold the event loop is measured by `npm run bench` (import): here, what they are answered.
  it('refuses the worst bodies within bounds, and the service answers others while it does', async () => {
    const fiveMiB = Buffer.alloc(5 * 1024 * 1024 - 1024, 'a');
    const bomb = zipOf([{ name: '[Content_Types].xml', data: Buffer.alloc(400 * 1024 * 1024) }]);
    const liar = zipOf([{ name: '[Content_Types].xml', data: Buffer.alloc(150 * 1024 * 1024, ' '), declaredSize: 1024 }]);
    const wideCell = `${HEADER}\nR,T,CSPR,Rec,"${'x'.repeat(5 * 1024 * 1024 - 300)}",police,,,31/03/2027,open,,,`;
    expect(bomb.length).toBeLessThan(1024 * 1024);

    const health: number[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        health.push((await fetch(`${service.url}/health`)).status);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const answers = await Promise.all([
      fetch(`${service.url}/reviews`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
        body: new Uint8Array(fiveMiB),
      }).then((response) => ['octet-stream to a JSON route', response.status]),
      fetch(`${service.url}/actions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
        body: new Uint8Array(fiveMiB),
      }).then((response) => ['CSV to a JSON route', response.status]),
      send(bomb, XLSX).then((answer) => ['a workbook that unpacks to 400 MB', answer.status]),
      send(liar, XLSX).then((answer) => ['a workbook whose directory lies', answer.status]),
      send(wideCell).then((answer) => ['a 5 MB cell', answer.status]),
    ]);
    polling = false;
    await poll;

    expect(Object.fromEntries(answers)).toEqual({
      'octet-stream to a JSON route': 415,
      'CSV to a JSON route': 415,
      'a workbook that unpacks to 400 MB': 413,
      'a workbook whose directory lies': expect.any(Number),
      'a 5 MB cell': 413,
    });
    const lied = answers.find(([what]) => what === 'a workbook whose directory lies')![1] as number;
    expect([400, 413]).toContain(lied);
    expect(health.length).toBeGreaterThan(0);
    expect(health.filter((status) => status !== 200)).toEqual([]);
  }, 120_000);

  it('answers 415 to a body of another type as it arrives, before reading it', async () => {
    let sent = 0;
    const endless = new ReadableStream({
      pull(controller) {
        sent += 1;
        controller.enqueue(new Uint8Array(64 * 1024));
        return new Promise((resolve) => setTimeout(resolve, 50));
      },
    });
    const response = await fetch(`${service.url}/reviews`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ status: 415, detail: 'Send the body as application/json.' });
    expect(sent).toBeLessThan(20);
    await endless.cancel().catch(() => undefined);
  });
});
