import { existsSync } from 'node:fs';
import { Page } from 'playwright-core';
import { REVIEW_KINDS } from '@app/domain';
import { SUBGROUP, TestService } from './support/app';
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
      /Figures as at \d{1,2} \w+ \d{4}, \d{1,2}:\d{2}(am|pm), from the first \d+ events recorded/,
    );
    await go(`/tracker/${body.items[0].id}`);
    expect(await page.textContent('[data-test="timeline"]')).toMatch(/Assigned it to [A-Z][^,]+, due \d{1,2} \w+ \d{4}/);
  });

  it('finds any action from the filter panel: words, partner, due within, sorted by due date, with the total', async () => {
    await signIn('demo-subgroup');
    await go('/tracker');
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
    await go(`/tracker/${body.items[0].id}`);
    await page.fill('#progress-note', 'Met the leads');
    const stale = await page.inputValue('form[action$="/progress"] input[name="version"]');
    await page.click('button:has-text("Record progress")');
    await go(`/tracker/${body.items[0].id}`);
    await page.fill('#progress-note', 'Met the leads');
    await page.$eval(
      'form[action$="/progress"] input[name="version"]',
      (input, version) => ((input as HTMLInputElement).value = version),
      stale,
    );
    await page.click('button:has-text("Record progress")');
    const summary = await page.textContent('.govuk-error-summary');
    expect(summary).toContain('You had already made this change');
    expect(summary).toContain('Noted progress: Met the leads');
  });

  it('fits a phone: nothing scrolls sideways at 375 px, however long a word', async () => {
    await signIn('demo-subgroup');
    const { body } = await service.request('GET', '/actions?limit=1', { as: SUBGROUP });
    await service.request('POST', `/actions/${body.items[0].id}/progress`, {
      as: SUBGROUP,
      body: { note: `A${'very'.repeat(60)}longwordwithoutanyspace` },
    });
    await page.setViewportSize({ width: 375, height: 800 });
    try {
      for (const path of ['/dashboard', '/tracker', '/learning-reviews', `/tracker/${body.items[0].id}`, '/sign-in']) {
        await go(path);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect({ path, width }).toEqual({ path, width: 375 });
      }
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
