import { existsSync } from 'node:fs';
import { Page } from 'playwright-core';
import { SUBGROUP, TestService } from './support/app';
import { CHROMIUM, accessibilityViolations, demoInBrowser, screenshot } from './support/browser';

const available = existsSync(CHROMIUM);
if (!available)
  process.stdout.write(`SKIPPED the browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium, as .ci/run does).\n`);

(available ? describe : describe.skip)('the web pages, in a real browser', () => {
  const demo = demoInBrowser();
  const { go, signIn } = demo;
  let service: TestService;
  let page: Page;
  beforeAll(() => ({ service, page } = demo));
  const count = async (partner: string, name: string) =>
    parseInt((await page.textContent(`tr[data-partner="${partner}"] [data-count="${name}"] a`))!, 10);
  const heading = () => page.textContent('h1');
  /** The GOV.UK date input: day, month and year, from a calendar date. */
  const fillDate = async (id: string, date: string) => {
    const [year, month, day] = date.split('-');
    await page.fill(`#${id}`, String(Number(day)));
    await page.fill(`#${id}-month`, String(Number(month)));
    await page.fill(`#${id}-year`, year);
  };
  /** Opens a task from the action page's list of what the user can do. */
  const task = (name: string) => page.click(`[data-test="tasks"] a[data-task="${name}"]`);

  it('follows an action from raised to closed: subgroup, partner, subgroup, and the chair sees the counts change', async () => {
    const refusedByPolicy: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) refusedByPolicy.push(message.text());
    });
    await signIn('demo-chair');
    await go('/dashboard');
    const before = { outstanding: await count('police', 'outstanding'), closed: await count('police', 'closed') };

    await signIn('demo-subgroup');
    await go('/learning-reviews');
    await page.click('a:has-text("CSPR-2025-02")');
    // A form sent with a field missing: the GOV.UK error summary, linked to the field.
    await page.selectOption('#action-recommendationId', { index: 1 });
    await page.click('button:has-text("Raise the action")');
    expect(await page.textContent('.govuk-error-summary')).toContain('There is a problem');
    expect(await page.getAttribute('.govuk-error-summary a', 'href')).toBe('#action-description');
    expect(await page.textContent('#action-description-error')).toContain('Enter what will be done');
    // GOV.UK Frontend's own script runs under the policy, and moves focus to the summary.
    await page.waitForFunction(() => document.activeElement?.classList.contains('govuk-error-summary'));
    expect(await page.evaluate(() => document.body.classList.contains('govuk-frontend-supported'))).toBe(true);
    expect(refusedByPolicy).toEqual([]);
    expect(await page.title()).toMatch(/^Error: /);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'form-with-errors');

    // What was chosen survives the refusal.
    expect(await page.inputValue('#action-recommendationId')).not.toBe('');
    await page.fill('#action-description', 'Briefing on exploitation language for every response officer');
    await page.click('button:has-text("Raise the action")');
    expect(await page.textContent('.govuk-notification-banner')).toContain('The action is raised');
    // The banner links to the new action: it is the one to assign next.
    await page.click('.govuk-notification-banner a:has-text("Briefing on exploitation language")');
    const actionPath = new URL(page.url()).pathname;
    await page.click('[data-test="summary"] a:has-text("Assign")');
    expect(await heading()).toContain('Assign the action');
    expect(await page.inputValue('#assign-partnerId')).toBe('');
    await page.selectOption('#assign-partnerId', 'police');
    await fillDate('assign-dueDate', '2030-01-31');
    await page.fill('#assign-lead', 'Detective Chief Inspector, Public Protection');
    await page.click('#submit');
    expect(await page.textContent('.govuk-notification-banner')).toContain('The action is assigned');

    await signIn('demo-chair');
    await go('/dashboard');
    expect(await count('police', 'outstanding')).toBe(before.outstanding + 1);

    await signIn('demo-lead-police');
    await go('/tracker');
    expect(await page.textContent('[data-test="actions"]')).toContain('Briefing on exploitation language');
    await go(actionPath);
    await task('evidence');
    await page.fill('#evidence-summary', 'All 212 officers briefed; dip sample of 20 reports shows no victim-blaming language');
    await page.click('#submit');
    expect(await page.textContent('.govuk-notification-banner')).toContain('Your evidence is submitted');
    // The partner lead reads the whole story of its own action, who did what and when.
    expect(await page.textContent('[data-test="timeline"]')).toContain('Submitted evidence');

    await signIn('demo-subgroup');
    // The reassignment form starts from who owns it now.
    await go(`${actionPath}/assign`);
    expect(await page.inputValue('#assign-partnerId')).toBe('police');
    expect([await page.inputValue('#assign-dueDate'), await page.inputValue('#assign-dueDate-month')]).toEqual(['31', '1']);
    expect(await page.inputValue('#assign-dueDate-year')).toBe('2030');
    await page.click('a:has-text("Back to the action")');
    await page.click('[data-evidence] a:has-text("Accept")');
    await page.click('#submit');
    expect(await page.textContent('.govuk-notification-banner')).toContain('The evidence is accepted');
    // Closing asks to check the answers first, and changing them keeps what was typed.
    await task('close');
    await page.check('input[name="outcome"][value="impact-evidenced"]');
    await page.fill('#close-rationale', 'The dip sample shows the change in practice');
    await page.click('#submit');
    expect(await heading()).toContain('Check your answers before closing the action');
    expect(await page.textContent('[data-test="answers"]')).toContain('Impact on practice evidenced');
    await page.click('button:has-text("Change your answers")');
    expect(await page.inputValue('#close-rationale')).toBe('The dip sample shows the change in practice');
    expect(await page.isChecked('input[name="outcome"][value="impact-evidenced"]')).toBe(true);
    await page.click('#submit');
    await page.click('#confirm');
    expect(await page.textContent('.govuk-notification-banner')).toContain('The action is closed');
    const timeline = await page.textContent('[data-test="timeline"]');
    for (const step of [
      'Raised the action',
      'Assigned it to Thames Valley Police',
      'Submitted evidence',
      'Accepted the evidence',
      'Closed the action',
    ])
      expect(timeline).toContain(step);
    expect(timeline).toContain('Lead, Thames Valley Police');

    await signIn('demo-chair');
    await go('/dashboard');
    expect({ outstanding: await count('police', 'outstanding'), closed: await count('police', 'closed') }).toEqual({
      outstanding: before.outstanding,
      closed: before.closed + 1,
    });
  }, 60_000);

  it('reassigns an action only with a reason, and the timeline says from whom to whom and why', async () => {
    const { body } = await service.request('GET', '/actions?partner=education&status=assigned&sort=-dueDate', { as: SUBGROUP });
    await signIn('demo-subgroup');
    await go(`/tracker/${body.items[0].id}`);
    await page.click('[data-test="summary"] a:has-text("Change")');
    expect(await heading()).toContain('Reassign the action');
    await page.selectOption('#assign-partnerId', 'police');
    await page.click('#submit');
    expect(await page.textContent('.govuk-error-summary')).toContain('a reassignment needs a reason');
    expect(await page.inputValue('#assign-partnerId')).toBe('police');
    await page.fill('#assign-reason', 'Exploitation work sits with the police now');
    await page.click('#submit');
    expect(await page.textContent('.govuk-notification-banner')).toContain('The action is assigned');
    const timeline = await page.textContent('[data-test="timeline"]');
    expect(timeline).toContain('Reassigned it from Schools and Education to Thames Valley Police');
    expect(timeline).toContain('Exploitation work sits with the police now');
    // The due date did not change: the sentence does not say what it was.
    expect(timeline).not.toMatch(/Reassigned it from[^:]*\(was /);
  }, 30_000);

  it('runs the weekly work: a partner asks for more time, the subgroup decides, closes, checks impact and corrects', async () => {
    const { body } = await service.request('GET', '/actions?partner=police&status=assigned&sort=-dueDate', { as: SUBGROUP });
    const action = body.items[0];
    const later = new Date(Date.parse(`${action.dueDate}T00:00:00Z`) + 60 * 86_400_000).toISOString().slice(0, 10);

    await signIn('demo-lead-police');
    await go(`/tracker/${action.id}`);
    await task('extension');
    await fillDate('extension-dueDate', action.dueDate);
    await page.fill('#extension-reason', 'The audit needs the new case system');
    await page.click('#submit');
    expect(await page.textContent('.govuk-error-summary')).toContain('later than the current due date');
    await page.fill('#extension-dueDate-month', '');
    await page.click('#submit');
    expect(await page.textContent('.govuk-error-summary')).toContain('Due date must include a month');
    await fillDate('extension-dueDate', later);
    await page.click('#submit');
    expect(await page.textContent('.govuk-notification-banner')).toContain('Your request for more time is sent');
    expect(await page.textContent('.govuk-tag--yellow')).toContain('Extension requested');
    expect(await page.locator('a[data-task="extension"]').count()).toBe(0);

    await signIn('demo-subgroup');
    await go('/dashboard');
    await page.click('[data-test="decisions"] [data-count="extensions-pending"] a');
    expect(await page.textContent('[data-test="actions"]')).toContain(action.description);
    await go(`/tracker/${action.id}`);
    await screenshot(page, 'action-extension-requested');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.click('[data-extension] a:has-text("Approve")');
    await page.fill('#approve-extension-note', 'Agreed at the subgroup');
    await page.click('#submit');
    expect(await page.textContent('.govuk-notification-banner')).toContain('The extension is approved');
    expect(await page.textContent('.govuk-summary-list')).toContain('Days slipped');
    expect(await page.textContent('[data-test="timeline"]')).toContain(
      `Approved the extension: due ${new Date(`${later}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })}`,
    );

    // The partner lead evidences it; another member of the subgroup accepts: the action is ready to close.
    await signIn('demo-lead-police');
    await go(`/tracker/${action.id}/evidence`);
    await page.fill('#evidence-summary', 'Audit of 25 cases since the change');
    await page.click('#submit');
    await signIn('demo-subgroup');
    await go(`/tracker/${action.id}`);
    await page.click('[data-evidence] a:has-text("Accept")');
    await page.click('#submit');
    expect(await page.textContent('.govuk-tag--turquoise')).toContain('Ready to close');
    await task('close');
    await page.check('input[name="outcome"][value="completed"]');
    await page.fill('#close-rationale', 'The procedure is revised');
    await page.click('#submit');
    await page.click('#confirm');
    expect(await page.textContent('.govuk-summary-list')).toMatch(/Impact check\s+Due /);
    await screenshot(page, 'action-impact-check-due');
    expect(await accessibilityViolations(page)).toEqual([]);
    await task('impact');
    await page.click('#submit');
    expect(await page.textContent('.govuk-error-summary')).toContain('There is a problem');
    await page.check('input[name="result"][value="evidenced"]');
    await page.fill('#impact-note', 'Re-audit: both parents assessed in 24 of 25 cases');
    await page.click('#submit');
    expect(await page.textContent('.govuk-notification-banner')).toContain('The impact check is recorded');
    expect(await page.textContent('.govuk-summary-list')).toContain('Impact on practice evidenced');

    await task('correct');
    await page.fill('#correct-description', `${action.description} (corrected)`);
    await page.fill('#correct-reason', 'Typo in the plan');
    await page.click('#submit');
    expect(await heading()).toContain(`${action.description} (corrected)`);
    expect(await page.textContent('[data-test="timeline"]')).toContain(`Corrected the description from “${action.description}”`);

    await go(`/learning-reviews/${action.reviewId}`);
    const title = await heading();
    await page.click('summary:has-text("Correct the review")');
    await page.fill('#review-title', `${title} (corrected)`);
    await page.click('#review button:has-text("Record the correction")');
    expect(await page.textContent('.govuk-error-summary')).toContain('Enter a reason');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.fill('#review-reason', 'The pseudonym was misspelt');
    await page.click('#review button:has-text("Record the correction")');
    expect(await page.textContent('.govuk-notification-banner')).toContain('The correction is recorded');
    expect(await heading()).toContain(`${title} (corrected)`);
    expect(await accessibilityViolations(page)).toEqual([]);
  }, 90_000);

  it("does not show a partner another partner's action", async () => {
    const { body } = await service.request('GET', '/actions?partner=county-council', { as: SUBGROUP });
    await signIn('demo-lead-police');
    const response = await go(`/tracker/${body.items[0].id}`);
    expect(response.status()).toBe(403);
    expect(await heading()).toContain('You do not have access');
    expect((await go('/dashboard')).status()).toBe(403);

    // A forged form: the session's own CSRF token, another agency's action. Refused, and nothing recorded.
    await go('/tracker');
    const csrf = await page.getAttribute('input[name="_csrf"]', 'value');
    const head = await service.headPosition();
    const forged = await page.request.post(`${service.url}/tracker/${body.items[0].id}/evidence`, {
      form: { _csrf: csrf!, summary: 'Not ours to evidence' },
    });
    expect(forged.status()).toBe(403);
    // Without the token, even the owner's own form is refused.
    const { body: own } = await service.request('GET', '/actions?partner=police', { as: SUBGROUP });
    const tokenless = await page.request.post(`${service.url}/tracker/${own.items[0].id}/progress`, { form: { note: 'No token' } });
    expect(tokenless.status()).toBe(403);
    expect(await service.headPosition()).toBe(head);
  });

  it('shows the whole dashboard as it stood on an earlier date', async () => {
    await signIn('demo-chair');
    await go('/dashboard');
    expect(await page.locator('tr[data-partner]').count()).toBe(4);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await fillDate('asAt', yesterday);
    await page.click('button:has-text("Show")');
    expect(new URL(page.url()).searchParams.get('asAt')).toBe(yesterday);
    expect(await heading()).toContain('as at');
    // The demonstration's history happened over two years, though it was recorded today: yesterday, work was under way.
    expect(await page.locator('tr[data-partner]').count()).toBe(4);
    const outstanding = await page.locator('tr:has(th:text-is("All partners")) [data-count="outstanding"]').textContent();
    expect(Number(outstanding!.replace(/\D/g, ''))).toBeGreaterThan(0);
    await screenshot(page, 'dashboard-as-at');
    // As recorded by the end of yesterday, there was nothing yet: the auditor's view, from the audit page.
    await go(`/dashboard?recordedBy=${yesterday}`);
    expect(await heading()).toContain('as recorded by');
    expect(await page.locator('tr[data-partner]').count()).toBe(0);
  });

  it('answers every page type with no WCAG 2.2 A or AA violation, and screenshots each', async () => {
    const { body } = await service.request('GET', '/actions?status=evidenced', { as: SUBGROUP });
    const reviews = await service.request('GET', '/reviews', { as: SUBGROUP });
    const pages: [string, string, string | undefined][] = [
      ['sign-in', '/sign-in', undefined],
      ['dashboard', '/dashboard', 'demo-chair'],
      ['actions', '/tracker', 'demo-subgroup'],
      ['action', `/tracker/${body.items[0].id}`, 'demo-subgroup'],
      ['partner-actions', '/tracker', 'demo-lead-education'],
      ['reviews', '/learning-reviews', 'demo-subgroup'],
      ['review', `/learning-reviews/${reviews.body[0].id}`, 'demo-subgroup'],
      ['audit', '/audit-trail', 'demo-auditor'],
      ['audit-log', '/audit-trail/events', 'demo-auditor'],
      ['not-found', '/tracker/00000000-0000-4000-8000-000000000000', 'demo-subgroup'],
    ];
    const found: Record<string, unknown> = {};
    for (const [name, path, user] of pages) {
      if (user) await signIn(user);
      await go(path);
      found[name] = await accessibilityViolations(page);
      await screenshot(page, name);
    }
    expect(found).toEqual(Object.fromEntries(pages.map(([name]) => [name, []])));
  }, 90_000);

  it('lets an auditor read the log event by event, in words with its data, by day, by who and by what it is about', async () => {
    await signIn('demo-auditor');
    await go('/audit-trail');
    await page.click('a:has-text("Read the log, event by event")');
    const first = page.locator('[data-test="events"] li').first();
    expect(await first.getAttribute('data-position')).toBe('1');
    expect(await page.locator('[data-test="events"] li').count()).toBe(100);
    // One action's events alone, by following the stream an event names.
    const { body } = await service.request('GET', '/actions?limit=1', { as: SUBGROUP });
    await go(`/audit-trail/events?stream=action-${body.items[0].id}`);
    const told = await page.locator('[data-test="events"] li strong').allTextContents();
    expect(told[0]).toBe('Raised the action');
    const history = await service.request('GET', `/actions/${body.items[0].id}/history`, { as: SUBGROUP });
    expect(told.length).toBe(history.body.length);
    await go('/audit-trail/events?actor=nobody-at-all');
    expect(await page.textContent('main')).toContain('No event was recorded that matches.');
    await go('/audit-trail/events?from-day=31&from-month=2&from-year=2026');
    expect(await page.textContent('.govuk-error-summary')).toContain('The first day must be a real date');
  });
});
