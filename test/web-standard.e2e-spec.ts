import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Page } from 'playwright-core';
import { REVIEW_KINDS } from '@app/domain';
import { SUBGROUP, TestService, partnerUser } from './support/app';
import { CHROMIUM, accessibilityViolations, demoInBrowser, printedPages, screenshot } from './support/browser';

const available = existsSync(CHROMIUM);
if (!available) process.stdout.write(`SKIPPED the page standard tests: no Chromium at ${CHROMIUM}.\n`);

/** Codes of the domain that must never reach a reader as they are. */
const CODES = [...REVIEW_KINDS.filter((kind) => kind.includes('-')), 'impact-evidenced', 'integrated-care-board', 'county-council'];

(available ? describe : describe.skip)('the pages, to the GOV.UK standard', () => {
  const demo = demoInBrowser();
  const { go, signIn } = demo;
  let service: TestService;
  let page: Page;
  beforeAll(() => ({ service, page } = demo));
  const visibleText = () => page.evaluate(() => document.body.innerText);

  it('says everything in words: no codes, dates as "1 January 2026", times in London, counts in good English', async () => {
    const { body } = await service.request('GET', '/actions?status=closed&limit=1', { as: SUBGROUP });
    await signIn('demo-lead-integrated-care-board');
    expect(await page.textContent('.app-signed-in')).toContain('partner agency lead, Integrated Care Board');
    await signIn('demo-subgroup');
    for (const path of [
      '/dashboard',
      '/tracker',
      '/learning-reviews',
      `/tracker/${body.items[0].id}`,
      '/tracker?partner=county-council&overdue=true',
    ]) {
      await go(path);
      const text = await visibleText();
      expect({ path, codes: CODES.filter((code) => text.includes(code)) }).toEqual({ path, codes: [] });
      expect({ path, isoDates: text.match(/\b\d{4}-\d{2}-\d{2}\b/g) ?? [] }).toEqual({ path, isoDates: [] });
      expect({ path, oneThings: text.match(/\b1 (actions|events|checkpoints|signed checkpoints)\b/g) ?? [] }).toEqual({
        path,
        oneThings: [],
      });
    }
    await go('/tracker?partner=county-council&overdue=true');
    expect(await page.textContent('[data-test="total"]')).toContain('owned by County Council Children’s Services, overdue');
    await go('/dashboard');
    expect(await page.textContent('[data-test="as-at"]')).toMatch(
      /^Figures as at \d{1,2} \w+ \d{4}, (\d{1,2}:\d{2}(am|pm)|midnight|midday)\.$/,
    );
    await go(`/tracker/${body.items[0].id}`);
    expect(await page.textContent('[data-test="timeline"]')).toMatch(/Assigned it to [A-Z][^,]+, due \d{1,2} \w+ \d{4}/);
  });

  it('finds any action from the filter panel: words, partner, due within, sorted by due date, with the total', async () => {
    await signIn('demo-subgroup');
    await go('/tracker?status=');
    const all = (await service.request('GET', '/actions?limit=1', { as: SUBGROUP })).body.total;
    expect(await page.textContent('[data-test="total"]')).toContain(`of ${all} actions`);
    const dueDates = await page.$$eval('[data-test="actions"] tbody tr td:nth-child(3)', (cells) =>
      cells.map((cell) => cell.textContent!.trim()),
    );
    const parsed = dueDates.filter(Boolean).map((text) => Date.parse(text));
    expect(parsed).toEqual([...parsed].sort((a, b) => a - b));

    await page.fill('#q', 'CSPR-2025-02');
    await page.selectOption('#partner', 'police');
    await page.click('button:has-text("Apply filters")');
    const expected = (await service.request('GET', '/actions?q=CSPR-2025-02&partner=police', { as: SUBGROUP })).body;
    expect(expected.total).toBeGreaterThan(0);
    expect(await page.textContent('[data-test="total"]')).toContain(`${expected.total} action`);
    expect(await page.locator('[data-test="actions"] tbody tr').count()).toBe(expected.total);
    expect(await page.inputValue('#q')).toBe('CSPR-2025-02');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'actions-filtered');
    // A theme is chosen from those the reviews carry, not typed to match exactly; a spelling of its own in the address still selects it.
    const themes = (await page.$$eval('#theme option', (options) => options.map((option) => option.textContent!.trim()))).slice(1);
    expect(themes).toContain('neglect');
    await go('/tracker?theme=%20NEGLECT');
    expect(await page.inputValue('#theme')).toBe('neglect');
    const neglect = (await service.request('GET', '/actions?theme=neglect&limit=1', { as: SUBGROUP })).body.total;
    expect(await page.textContent('[data-test="total"]')).toContain(`${neglect} action`);
  });

  it('shows the actions no agency owns yet as a row of their own, so the rows add up to the total', async () => {
    await signIn('demo-chair');
    await go('/dashboard');
    const outstanding = async (row: string) => parseInt((await page.textContent(`tr${row} [data-count="outstanding"] a`))!, 10);
    const partners = await page.$$eval('tr[data-partner] [data-count="outstanding"] a', (links) =>
      links.reduce((sum, link) => sum + parseInt(link.textContent!, 10), 0),
    );
    const unassigned = await outstanding('[data-row="unassigned"]');
    expect(unassigned).toBeGreaterThan(0);
    const total = (await service.request('GET', '/assurance', { as: SUBGROUP })).body.totals.outstanding;
    expect(partners + unassigned).toBe(total);
    // The trends end today: each agency's last month is what it owns now.
    for (const partnerId of ['police', 'education']) {
      const now = parseInt((await page.textContent(`tr[data-partner="${partnerId}"] [data-count="outstanding"] a`))!, 10);
      expect(await page.textContent(`[data-test="partner-trends"] tr[data-trend="${partnerId}"] td:last-child`)).toMatch(
        new RegExp(`^${now}\\b`),
      );
    }
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('gives a browser the "Page not found" page for a mistyped address, and ignores parameters a page does not know', async () => {
    await signIn('demo-subgroup');
    const missing = await go('/trackr');
    expect(missing.status()).toBe(404);
    expect(missing.headers()['content-type']).toContain('text/html');
    expect(await page.textContent('h1')).toBe('Page not found');
    expect(await accessibilityViolations(page)).toEqual([]);
    const ignored = await go('/tracker?utm_source=email&status=outstanding');
    expect(ignored.status()).toBe(200);
    expect(await page.textContent('[data-test="total"]')).toContain('outstanding');
    // The API still refuses what it does not know.
    expect((await service.request('GET', '/actions?utm_source=email', { as: SUBGROUP })).status).toBe(400);
  });

  it('says a form expired when its token is missing, and nothing was recorded', async () => {
    await signIn('demo-subgroup');
    const { body } = await service.request('GET', '/actions?status=assigned&limit=1', { as: SUBGROUP });
    const head = await service.headPosition();
    const answer = await page.request.post(`${service.url}/tracker/${body.items[0].id}/progress`, { form: { note: 'x' } });
    expect(answer.status()).toBe(403);
    expect(await answer.text()).toContain('This form has expired');
    expect(await service.headPosition()).toBe(head);
  });

  it('tells someone who sends an old copy of a form what happened since, and who did it', async () => {
    const { body } = await service.request('GET', '/actions?status=assigned&limit=1', { as: SUBGROUP });
    await signIn('demo-subgroup');
    await go(`/tracker/${body.items[0].id}/progress`);
    await page.fill('#progress-note', 'Met the leads');
    const stale = await page.inputValue('form[action$="/progress"] input[name="version"]');
    await page.click('#submit');
    await go(`/tracker/${body.items[0].id}/progress`);
    await page.fill('#progress-note', 'Met the leads');
    await page.$eval(
      'form[action$="/progress"] input[name="version"]',
      (input, version) => ((input as HTMLInputElement).value = version),
      stale,
    );
    await page.click('#submit');
    const summary = await page.textContent('.govuk-error-summary');
    expect(summary).toContain('You had already made this change');
    expect(summary).toContain('Noted progress: Met the leads');
  });

  it('gives every task on an action a page of its own, and every page and error state passes axe', async () => {
    // One action with evidence and a request for more time waiting, and one closed as completed with its impact check due.
    const assigned = (await service.request('GET', '/actions?status=assigned&limit=2', { as: SUBGROUP })).body.items;
    const [waiting, closed] = assigned as { id: string; dueDate: string; partnerId: string }[];
    const later = (date: string) => new Date(Math.max(Date.parse(date), Date.now()) + 40 * 86_400_000).toISOString().slice(0, 10);
    const evidenceId = (
      await service.request('POST', `/actions/${waiting.id}/evidence`, { as: partnerUser(waiting.partnerId), body: { summary: 'Audit' } })
    ).body.id;
    const requestId = (
      await service.request('POST', `/actions/${waiting.id}/extension-requests`, {
        as: partnerUser(waiting.partnerId),
        body: { dueDate: later(waiting.dueDate), reason: 'Waiting on the audit' },
      })
    ).body.id;
    const evidence = (
      await service.request('POST', `/actions/${closed.id}/evidence`, { as: partnerUser(closed.partnerId), body: { summary: 'Done' } })
    ).body;
    await service.request('POST', `/actions/${closed.id}/evidence/${evidence.id}/accept`, { as: SUBGROUP, body: {} });
    const last = await service.request('POST', `/actions/${closed.id}/close`, {
      as: SUBGROUP,
      body: { outcome: 'completed', rationale: 'Procedure revised' },
    });
    await service.request('GET', `/actions/${closed.id}?position=${last.body.position}`, { as: SUBGROUP });

    await signIn('demo-subgroup');
    const tasks: [string, string, boolean][] = [
      ['assign', waiting.id, true],
      ['due-date', waiting.id, true],
      ['progress', waiting.id, true],
      ['evidence', waiting.id, true],
      [`accept?evidenceId=${evidenceId}`, waiting.id, false],
      [`reject?evidenceId=${evidenceId}`, waiting.id, true],
      [`approve-extension?requestId=${requestId}`, waiting.id, false],
      [`refuse-extension?requestId=${requestId}`, waiting.id, true],
      ['close', waiting.id, true],
      ['withdraw', waiting.id, true],
      ['correct', waiting.id, true],
      ['reopen', closed.id, true],
      ['impact', closed.id, true],
    ];
    const found: Record<string, unknown> = {};
    const head = await service.headPosition();
    for (const [task, id, required] of tasks) {
      const answer = await go(`/tracker/${id}/${task}`);
      expect({ task, status: answer.status() }).toEqual({ task, status: 200 });
      found[task] = await accessibilityViolations(page);
      if (!required) continue;
      // Everything it asks for cleared, then sent: the error state.
      await page.$$eval('form textarea, form input[type="text"], form input[type="url"]', (fields) =>
        fields.forEach((field) => ((field as HTMLInputElement).value = '')),
      );
      // The answer is a new page: counted once it has come, not on the one that sent the form.
      await Promise.all([page.waitForEvent('framenavigated'), page.click('#submit')]);
      await page.waitForLoadState();
      expect({ task, summary: await page.locator('.govuk-error-summary').count() }).toEqual({ task, summary: 1 });
      found[`${task}, with errors`] = await accessibilityViolations(page);
      await screenshot(page, `task-${task.split('?')[0]}-errors`);
    }
    // Nothing was recorded by any of it.
    expect(await service.headPosition()).toBe(head);

    // Withdrawing asks "are you sure" first.
    await go(`/tracker/${waiting.id}/withdraw`);
    await page.fill('#withdraw-reason', 'Superseded by the new strategy');
    await page.click('#submit');
    expect(await page.textContent('h1')).toContain('Are you sure you want to withdraw this action?');
    expect(await page.textContent('[data-test="answers"]')).toContain('Superseded by the new strategy');
    found['withdraw, are you sure'] = await accessibilityViolations(page);
    expect(await service.headPosition()).toBe(head);

    // A task the action is not open to says so rather than showing a form.
    const notOpen = await go(`/tracker/${waiting.id}/reopen`);
    expect(notOpen.status()).toBe(409);
    expect(await page.textContent('main')).toContain('“Reopen the action” cannot be done while the action is awaiting assurance');

    // The other forms' error states: a date that does not exist, a review with nothing filled in.
    await go('/dashboard?asAt=2026-02-30');
    expect(await page.textContent('.govuk-error-summary')).toContain('real date');
    found['dashboard, with errors'] = await accessibilityViolations(page);
    await go('/learning-reviews');
    await page.click('form[action="/learning-reviews"] button');
    expect(await page.locator('.govuk-error-summary').count()).toBe(1);
    found['reviews, with errors'] = await accessibilityViolations(page);
    await page.context().clearCookies();
    await go('/sign-in');
    await page.click('button:has-text("Sign in")');
    expect(await page.locator('.govuk-error-summary').count()).toBe(1);
    found['sign-in, with errors'] = await accessibilityViolations(page);
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((name) => [name, []])));
  }, 120_000);

  it('pages back and forth through the actions, saying which ones it shows', async () => {
    await signIn('demo-subgroup');
    await go('/tracker?status=&limit=5');
    const all = (await service.request('GET', '/actions?limit=1', { as: SUBGROUP })).body.total;
    expect(await page.textContent('[data-test="total"]')).toContain(`Showing 1 to 5 of ${all} actions`);
    const first = await page.$$eval('[data-test="actions"] tbody tr', (rows) => rows.map((row) => row.getAttribute('data-action')));
    await page.click('.govuk-pagination__next a');
    expect(await page.textContent('[data-test="total"]')).toContain(`Showing 6 to 10 of ${all} actions`);
    await page.click('.govuk-pagination__prev a');
    expect(await page.textContent('[data-test="total"]')).toContain(`Showing 1 to 5 of ${all} actions`);
    expect(await page.$$eval('[data-test="actions"] tbody tr', (rows) => rows.map((row) => row.getAttribute('data-action')))).toEqual(
      first,
    );
    expect(await page.locator('.govuk-pagination__prev').count()).toBe(0);
  });

  it("shows what changed between two days: counts, then each agency's changes linking to the action", async () => {
    await signIn('demo-chair');
    await go('/what-changed');
    const { body } = await service.request('GET', '/changes', { as: SUBGROUP });
    expect(body.counts.ActionRaised).toBeGreaterThan(0);
    expect(await page.textContent('[data-test="counts"] tr[data-type="ActionRaised"] td')).toBe(String(body.counts.ActionRaised));
    const police = body.items.filter((item: { partnerId?: string; actionId?: string }) => item.actionId && item.partnerId === 'police');
    expect(await page.locator('table[data-group="police"] tbody tr').count()).toBe(police.length);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'what-changed');
    // A window chosen with the date inputs becomes an address with the two days.
    const today = new Date().toISOString().slice(0, 10);
    const [year, month, day] = today.split('-');
    await page.fill('#from', String(Number(day)));
    await page.fill('#from-month', String(Number(month)));
    await page.fill('#from-year', year);
    await page.click('button:has-text("Show the changes")');
    expect(new URL(page.url()).searchParams.get('from')).toBe(today);
    expect(await page.textContent('[data-test="window"]')).toContain(`${body.items.length} changes.`);
    await go('/what-changed?from=2026-02-30');
    expect(await page.textContent('.govuk-error-summary')).toContain('The start must be a real date');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('shows the yearly report for the financial year, its figures those of the API, and reaches an earlier year', async () => {
    await signIn('demo-chair');
    await go('/yearly-report');
    const { body } = await service.request('GET', '/reports/yearly', { as: SUBGROUP });
    expect(await page.textContent('h1')).toContain(`${Number(body.from.slice(8))} April`);
    const all = await page.$$eval('[data-test="actions"] tr[data-partner="all"] td', (cells) =>
      cells.map((cell) => cell.textContent!.trim()),
    );
    expect(all.slice(0, 5)).toEqual(
      [
        body.actions.raised,
        body.actions.closed,
        body.actions.closedWithImpact,
        body.actions.outstandingAtEnd,
        body.actions.overdueAtEnd,
      ].map(String),
    );
    expect(await page.textContent('[data-test="reviews"] [data-count="commissioned"]')).toBe(String(body.reviews.commissioned));
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'yearly-report');
    // The year before: the demonstration's imported history, counted on the days it happened.
    const earlier = `from=${Number(body.from.slice(0, 4)) - 1}-04-01&to=${body.from.slice(0, 4)}-03-31`;
    const before = (await service.request('GET', `/reports/yearly?${earlier}`, { as: SUBGROUP })).body;
    expect(before.actions.closed).toBeGreaterThan(0);
    // And the trends have a past: actions outstanding a year ago, and closings quarter after quarter.
    const trends = (await service.request('GET', '/reports/trends', { as: SUBGROUP })).body;
    expect(trends.months.slice(0, 6).every((month: { outstanding: number }) => month.outstanding > 0)).toBe(true);
    expect(trends.quarters.filter((quarter: { closed: number }) => quarter.closed > 0).length).toBeGreaterThanOrEqual(3);
    await go(`/yearly-report?${earlier}`);
    const closed = await page.$$eval('[data-test="actions"] tr[data-partner="all"] td', (cells) => cells[1].textContent!.trim());
    expect(closed).toBe(String(before.actions.closed));
    await go('/yearly-report?from=2026-04-01&to=2025-03-31');
    expect(await page.textContent('.govuk-error-summary')).toContain('The start must be on or before the end');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('prints the board pack on A4: the picture, the overdue actions with why, the changes and extensions, dates on every page', async () => {
    type Late = { id: string; partnerId: string; extensions: { status: string }[] };
    const late = ((await service.request('GET', '/actions?overdue=true', { as: SUBGROUP })).body.items as Late[]).find(
      (action) => !action.extensions.some((request) => request.status === 'pending'),
    )!;
    const asked = await service.request('POST', `/actions/${late.id}/extension-requests`, {
      as: partnerUser(late.partnerId),
      body: { dueDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10), reason: 'Waiting for the new case system' },
    });
    expect(asked.status).toBe(201);
    await signIn('demo-chair');
    await go('/dashboard');
    await page.click('a:has-text("The board pack")');
    // A past board's pack, by its day alone: the changes run from the eight weeks before it.
    const pastBoard = new Date(Date.now() - 120 * 86_400_000).toISOString().slice(0, 10);
    await go(`/board-pack?date=${pastBoard}`);
    expect(await page.textContent('h1')).toMatch(/As at \d{1,2} \w+ \d{4}, with the changes since \d{1,2} \w+ \d{4}/);
    expect(await page.locator('.govuk-error-summary').count()).toBe(0);
    await go('/board-pack');
    const row = await page.textContent(`[data-test="overdue"] tr[data-action="${late.id}"]`);
    expect(row).toContain('Waiting for the new case system');
    expect(row).toMatch(/^\s*(CSPR|RR|LLR|MAA)-\d{4}-\d{2}/);
    // A reason missing is said once, under the table, not on every row.
    expect(await page.locator('[data-test="overdue"] td:text-is("None given")').count()).toBe(0);
    const overdue = (await service.request('GET', '/actions?overdue=true&limit=1', { as: SUBGROUP })).body.total;
    expect(overdue).toBeGreaterThan(0);
    await screenshot(page, 'board-pack');
    expect(await page.locator('[data-test="overdue"] tbody tr').count()).toBe(overdue);
    expect(await page.isVisible('button[data-print]')).toBe(true);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'board-pack');
    const printable = Math.floor(((210 - 20) / 25.4) * 96);
    await page.setViewportSize({ width: printable, height: 1100 });
    await page.emulateMedia({ media: 'print' });
    try {
      expect(await page.$$eval('table', (tables) => tables.filter((table) => table.scrollWidth > table.clientWidth + 1).length)).toBe(0);
      const pages = await printedPages(page);
      const text = pages.join('\n').replace(/\s+/g, ' ');
      // Every page carries the partnership's protective marking, top and foot, and its number.
      pages.forEach((printed, index) => {
        expect(printed).toMatch(/Board pack · figures as at .+ · printed /);
        expect(printed.match(/OFFICIAL-SENSITIVE/g)?.length).toBe(2);
        expect(printed).toContain(`Page ${index + 1} of ${pages.length}`);
      });
      expect(text).not.toMatch(/Beta|This is a new service/);
      expect(text).toMatch(/Status[^]*(Red|Amber|Green|None outstanding)/);
      for (const heading of [
        'Assurance by partner agency',
        'Overdue actions',
        'Reason for delay',
        'Days overdue',
        'Review',
        'Extensions granted',
        'Raised',
      ])
        expect(text).toContain(heading);
      expect(text).not.toMatch(/https?:\/\/|Print or save as PDF|Show the pack/);
    } finally {
      await page.emulateMedia({ media: 'screen' });
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('imports a plan from the page: upload, see what it would add or what is wrong, confirm', async () => {
    const header =
      'Review reference,Review title,Review kind,Recommendation,Action,Partner,Lead,Raised on,Due date,Status,Closed on,Outcome,Themes';
    const upload = (name: string, lines: string[]) =>
      page.setInputFiles('#plan', { name, mimeType: 'text/csv', buffer: Buffer.from([header, ...lines].join('\n')) });
    await signIn('demo-subgroup');
    await go('/import');
    expect(await accessibilityViolations(page)).toEqual([]);
    await upload('bad.csv', ['LLR-2024-03,Child N,Local learning review,Rec,An action,nobody,,,31/03/2024,open,,,']);
    await page.click('button:has-text("Check the file")');
    expect(await page.textContent('h1')).toContain('The file has problems');
    expect(await page.textContent('[data-test="import-errors"]')).toContain('There is no partner agency "nobody"');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'import-errors');

    await go('/import');
    const head = await service.headPosition();
    await upload('plan.csv', [
      'LLR-2024-03,Child N,Local learning review,Share the plan,Publish a seven-minute briefing,police,,01/09/2024,31/03/2025,closed,20/02/2025,Completed,',
      'LLR-2024-03,Child N,Local learning review,Share the plan,Brief every school,education,,01/09/2024,31/03/2025,open,,,',
    ]);
    await page.click('button:has-text("Check the file")');
    expect(await page.textContent('[data-test="would-create"]')).toMatch(/New actions\s+2/);
    // Each action it would add, its dates in words: a day and month swapped would show here.
    const rows = await page.$$eval('[data-test="would-add"] tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())),
    );
    expect(rows).toEqual([
      [
        '2',
        'LLR-2024-03',
        'Publish a seven-minute briefing',
        'Thames Valley Police',
        '1 September 2024',
        '31 March 2025',
        'Closed on 20 February 2025',
      ],
      ['3', 'LLR-2024-03', 'Brief every school', 'Schools and Education', '1 September 2024', '31 March 2025', 'Open'],
    ]);
    expect(await service.headPosition()).toBe(head);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.click('#confirm');
    expect(await page.textContent('.govuk-notification-banner')).toContain('1 review, 1 recommendation and 2 actions were added');
    const { body } = await service.request('GET', `/actions?q=seven-minute%20briefing&position=${await service.headPosition()}`, {
      as: SUBGROUP,
    });
    expect(body.items.map((item: { status: string }) => item.status)).toEqual(['closed']);
    // Its page tells the day it happened and the day it was recorded.
    await go(`/tracker/${body.items[0].id}`);
    expect(await page.textContent('[data-test="timeline"]')).toMatch(
      /Closed the action[^]*on 20 February 2025, recorded on import on \d{1,2} \w+ \d{4}/,
    );
  });

  it('lets the administrator name partner agencies and set their team mailboxes, and shows the mail', async () => {
    await signIn('demo-admin');
    await go('/admin/partners');
    expect(await page.textContent('h1')).toBe('Partner agencies');
    expect(await page.textContent('table')).toContain('Thames Valley Police');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.click('button:has-text("Register the agency")');
    expect(await page.textContent('.govuk-error-summary')).toContain('Enter the agency’s name');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.fill('#partner-name', 'Hampshire Youth Offending Service');
    await page.click('button:has-text("Register the agency")');
    expect(await page.textContent('.govuk-notification-banner')).toContain('Hampshire Youth Offending Service is saved');
    expect(await page.textContent('table')).toContain('hampshire-youth-offending-service');

    await page.click('a:has-text("Change Thames Valley Police")');
    expect(await page.textContent('h1')).toBe('Change Thames Valley Police');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.fill('#name', '');
    await page.fill('#email', 'Sergeant Smith <smith@police.example>');
    await page.click('button:has-text("Save the changes")');
    const summary = await page.textContent('.govuk-error-summary');
    expect(summary).toContain('Enter the agency’s name');
    expect(summary).toContain('Mailbox must be an email address');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.fill('#name', 'Thames Valley Police');
    await page.fill('#email', 'safeguarding.actions@police.example');
    await page.click('button:has-text("Save the changes")');
    expect(await page.textContent('.govuk-notification-banner')).toContain('Thames Valley Police is saved');

    await page.click('a:has-text("Change Hampshire Youth Offending Service")');
    await page.fill('#name', 'Hampshire Youth Justice Service');
    await page.click('button:has-text("Save the changes")');
    expect(await page.textContent('.govuk-notification-banner')).toContain('Hampshire Youth Justice Service is saved');
    const { body: renamed } = await service.request('GET', `/partners?position=${await service.headPosition()}`, { as: SUBGROUP });
    expect(renamed).toContainEqual({ id: 'hampshire-youth-offending-service', name: 'Hampshire Youth Justice Service' });
    const { body: partners } = await service.request('GET', '/partners', { as: SUBGROUP });
    expect(partners.find((partner: { id: string }) => partner.id === 'police').mailbox).toBe('safeguarding.actions@police.example');

    await page.click('nav a:has-text("Mail")');
    expect(await page.textContent('main')).toContain('Mail is off: SMTP_URL is not set');
    expect(await accessibilityViolations(page)).toEqual([]);
    await signIn('demo-subgroup');
    await go('/admin/mail');
    const navigation = await page.textContent('nav');
    expect(navigation).toContain('Mail');
    expect(navigation).not.toContain('Partners');
  });

  it('downloads the list on the page, with its filters, as CSV and as an Excel spreadsheet', async () => {
    await signIn('demo-lead-police');
    await go('/tracker?status=assigned');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-test="downloads"] a:has-text("CSV")')]);
    const rows = parse(await readFile((await csv.path())!), { bom: true }) as string[][];
    const own = (await service.request('GET', '/actions?status=assigned&limit=500', { as: partnerUser('police') })).body.items;
    expect(
      rows
        .slice(1)
        .map((row) => row.at(-1))
        .sort(),
    ).toEqual(own.map((item: { id: string }) => item.id).sort());
    expect(csv.suggestedFilename()).toMatch(/^actions-\d{4}-\d{2}-\d{2}\.csv$/);

    await signIn('demo-chair');
    await go('/dashboard');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('[data-test="downloads"] a:has-text("Excel")')]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await xlsx.path())!);
    const partners = (await service.request('GET', '/assurance', { as: SUBGROUP })).body.partners;
    const names = workbook.worksheets[0].getColumn(2).values.slice(2);
    for (const partner of partners) expect(names).toContain(partner.name);
  });

  it('never breaks a table header inside a word at 1280 px, and opens the actions on what is still to do, due soonest first', async () => {
    await signIn('demo-chair');
    for (const path of ['/dashboard', '/tracker', '/yearly-report', '/what-changed', '/board-pack']) {
      await go(path);
      const broken = await page.$$eval('th', (headers) =>
        headers.flatMap((header) => {
          const text = header.textContent ?? '';
          const node = document.createTreeWalker(header, NodeFilter.SHOW_TEXT);
          const found: string[] = [];
          for (let at = node.nextNode(); at; at = node.nextNode()) {
            for (const match of (at.textContent ?? '').matchAll(/\S+/g)) {
              const range = document.createRange();
              range.setStart(at, match.index!);
              range.setEnd(at, match.index! + match[0].length);
              if (new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size > 1)
                found.push(`${match[0]} in "${text.trim()}"`);
            }
          }
          return found;
        }),
      );
      expect({ path, broken }).toEqual({ path, broken: [] });
    }
    await go('/tracker');
    expect(await page.inputValue('#status')).toBe('outstanding');
    const shown = await page.$$eval('[data-test="actions"] tbody tr', (rows) => rows.length);
    const { body } = await service.request('GET', '/actions?status=outstanding&sort=dueDate&limit=500', { as: SUBGROUP });
    expect(shown).toBe(Math.min(body.items.length, 100));
    await page.selectOption('#status', '');
    await page.click('button:has-text("Apply filters")');
    expect(new URL(page.url()).searchParams.get('status')).toBe('');
    expect(await page.$$eval('[data-test="actions"] tbody tr', (rows) => rows.length)).toBeGreaterThan(shown);
  });

  it('fits a phone: nothing scrolls sideways at 375 or 320 px, however long a word; the actions are cards, the menu folds', async () => {
    await signIn('demo-subgroup');
    const { body } = await service.request('GET', '/actions?limit=1', { as: SUBGROUP });
    await service.request('POST', `/actions/${body.items[0].id}/progress`, {
      as: SUBGROUP,
      body: { note: `A${'very'.repeat(60)}longwordwithoutanyspace` },
    });
    try {
      for (const phone of [375, 320]) {
        await page.setViewportSize({ width: phone, height: 800 });
        for (const path of ['/dashboard', '/tracker', '/learning-reviews', `/tracker/${body.items[0].id}`, '/board-pack', '/sign-in']) {
          await go(path);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          expect({ path, width }).toEqual({ path, width: phone });
        }
      }
      await page.setViewportSize({ width: 375, height: 800 });
      await go('/tracker');
      // Each action a card, the first one within the first screen; the table is for wider screens.
      expect(await page.isVisible('[data-test="actions"]')).toBe(false);
      const card = page.locator('[data-test="action-cards"] .govuk-summary-card').first();
      expect(await card.isVisible()).toBe(true);
      expect((await card.boundingBox())!.y).toBeLessThan(800);
      expect(await card.textContent()).toMatch(/Owned by[^]*Due[^]*Status/);
      // The filters fold behind a button until asked for.
      expect(await page.isVisible('#q')).toBe(false);
      await page.click('button[aria-controls="filters"]');
      expect(await page.isVisible('#q')).toBe(true);
      expect(await page.getAttribute('button[aria-controls="filters"]', 'aria-expanded')).toBe('true');
      await screenshot(page, 'phone-actions');
      // The service's menu folds behind a button, which opens it.
      await go('/dashboard');
      expect(await page.isVisible('.govuk-service-navigation__list')).toBe(false);
      await page.click('.govuk-service-navigation__toggle');
      expect(await page.isVisible('.govuk-service-navigation__list')).toBe(true);
      await screenshot(page, 'phone-dashboard');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('prints the dashboard on A4 with every column, no link addresses, and the dates on every page', async () => {
    await signIn('demo-chair');
    await go('/dashboard');
    // The printable width of an A4 sheet with the stylesheet's margins, in CSS pixels.
    const printable = Math.floor(((210 - 20) / 25.4) * 96);
    await page.setViewportSize({ width: printable, height: 1100 });
    await page.emulateMedia({ media: 'print' });
    try {
      const overflowing = await page.$$eval(
        'table',
        (tables) => tables.filter((table) => table.scrollWidth > table.clientWidth + 1).length,
      );
      expect(overflowing).toBe(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(printable);
      const pages = await printedPages(page);
      const text = pages.join('\n');
      expect(pages.length).toBeGreaterThan(1);
      expect(text).not.toMatch(/\(\/tracker|https?:\/\//);
      for (const printed of pages) expect(printed).toMatch(/figures as at .+ · printed /);
      for (const header of ['Outstanding', 'Overdue', 'Awaiting assurance', 'Ready to close', 'Closed', 'Status'])
        expect(text).toContain(header);
    } finally {
      await page.emulateMedia({ media: 'screen' });
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
});
