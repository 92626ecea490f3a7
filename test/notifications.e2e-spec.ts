import { ADMIN, SUBGROUP, TestClock, TestService, partnerUser, signToken, startService, testClock, webSessionCookie } from './support/app';
import { existsSync } from 'node:fs';
import { CHROMIUM, accessibilityViolations, launchBrowser, signInOnPage } from './support/browser';
import { ReceivedMail, TestMailServer } from './support/mail-server';
import { pause } from './support/projection-checks';

const PUBLIC_URL = 'https://actions.partnership.example';
const SUBGROUP_EMAIL = 'subgroup@partnership.example';
const MAILBOXES: Record<string, string> = { police: 'actions@police.example', council: 'safeguarding.actions@council.example' };
/** Words put in every free-text field: none of them may ever be in a mail. */
const SECRET = 'Child-K-at-14-Elm-Street';

async function planWithOneAction(service: TestService, mailboxes = true): Promise<{ actionId: string; reference: string }> {
  for (const [id, name] of [
    ['police', 'Thames Valley Police'],
    ['council', 'County Council'],
  ]) {
    expect((await service.request('POST', '/partners', { as: ADMIN, body: { id, name } })).status).toBe(201);
    if (mailboxes)
      expect((await service.request('POST', `/partners/${id}/mailbox`, { as: ADMIN, body: { email: MAILBOXES[id] } })).status).toBe(200);
  }
  const reference = `CSPR-${Math.floor(Math.random() * 1e6)}`;
  const review = await service.request('POST', '/reviews', {
    as: SUBGROUP,
    body: { reference, title: `Review of ${SECRET}`, kind: 'cspr' },
  });
  const recommendation = await service.request('POST', `/reviews/${review.body.id}/recommendations`, {
    as: SUBGROUP,
    body: { text: `Learn from ${SECRET}` },
  });
  const action = await service.request('POST', '/actions', {
    as: SUBGROUP,
    body: { recommendationId: recommendation.body.id, description: `Audit the chronology of ${SECRET}`, successMeasure: SECRET },
  });
  expect(action.status).toBe(201);
  return { actionId: action.body.id, reference };
}

/** A real SMTP server (down at first, when asked) and the service sending to it, sweeping every second by `clock`. */
async function startMailed(clock: TestClock, env: Record<string, string> = {}, { serverDown = false, offerStartTls = false } = {}) {
  const mail = await TestMailServer.start({ offerStartTls });
  if (serverDown) await mail.down();
  const settings = {
    SMTP_URL: mail.url,
    MAIL_FROM: 'tracker@partnership.example',
    PUBLIC_URL,
    SUBGROUP_EMAIL,
    REMINDER_SWEEP_SECONDS: '1',
  };
  const service = await startService({ clock, env: { ...settings, ...env } });
  return { mail, service };
}

async function stopMailed({ mail, service }: { mail?: TestMailServer; service?: TestService }): Promise<void> {
  await service?.close();
  await mail?.down();
}

const rulesTo = (mails: readonly ReceivedMail[]) => mails.map((mail) => `${mail.rule} -> ${mail.to}`);

describe('notifications by mail', () => {
  describe('each rule', () => {
    // A Tuesday: no weekly digest is due until the clock reaches a Monday.
    const clock = testClock('2026-01-06T10:00:00Z');
    let mail: TestMailServer;
    let service: TestService;
    beforeAll(async () => ({ mail, service } = await startMailed(clock)), 60_000);
    afterAll(() => stopMailed({ mail, service }));

    it('goes once to the right mailbox, with the reference, owner, due date and link, and none of the free text', async () => {
      const { actionId, reference } = await planWithOneAction(service);
      const police = partnerUser('police');
      const expected: string[] = [];
      const expectNext = async (...mails: string[]) => {
        expected.push(...mails);
        const received = await mail.waitForCount(expected.length);
        expect(rulesTo(received).slice(-mails.length).sort()).toEqual([...mails].sort());
        return received.slice(-mails.length);
      };

      await service.request('POST', `/actions/${actionId}/assign`, {
        as: SUBGROUP,
        body: { partnerId: 'police', dueDate: '2026-03-31', lead: 'Head of Public Protection' },
      });
      const [assigned] = await expectNext(`assigned -> ${MAILBOXES.police}`);
      expect(assigned.subject).toBe(`Action ${reference} / ${actionId.slice(0, 8)} is assigned to Thames Valley Police, due 31 March 2026`);
      expect(assigned.text).toContain(`${PUBLIC_URL}/tracker/${actionId}`);
      expect(assigned.html).toContain(`href="${PUBLIC_URL}/tracker/${actionId}"`);
      expect(assigned.raw).toMatch(new RegExp(`^X-Action-Id: ${actionId}\r?$`, 'mi'));
      expect(assigned.raw).toMatch(/^X-Due-Date: 2026-03-31\r?$/im);

      const request = await service.request('POST', `/actions/${actionId}/extension-requests`, {
        as: police,
        body: { dueDate: '2026-04-30', reason: SECRET },
      });
      const [asked] = await expectNext(`extension-requested -> ${SUBGROUP_EMAIL}`);
      expect(asked.text).toContain('to be due on 30 April 2026 instead');
      await service.request('POST', `/actions/${actionId}/extension-requests/${request.body.id}/approve`, {
        as: SUBGROUP,
        body: { note: SECRET },
      });
      const [approved] = await expectNext(`extension-decided -> ${MAILBOXES.police}`);
      expect(approved.text).toContain('it is now due on 30 April 2026');

      clock.set('2026-03-31T10:00:00Z');
      const [thirty] = await expectNext(`due-in-30-days -> ${MAILBOXES.police}`);
      expect(thirty.text).toContain('is due in 30 days, on 30 April 2026');
      clock.set('2026-04-23T10:00:00Z');
      await expectNext(`due-in-7-days -> ${MAILBOXES.police}`);

      const evidence = await service.request('POST', `/actions/${actionId}/evidence`, {
        as: police,
        body: { summary: SECRET, link: `https://evidence.example/${SECRET}` },
      });
      await service.request('POST', `/actions/${actionId}/evidence/${evidence.body.id}/reject`, {
        as: SUBGROUP,
        body: { reason: SECRET },
      });
      const [rejected] = await expectNext(`evidence-decided -> ${MAILBOXES.police}`);
      expect(rejected.subject).toContain('was not accepted');

      clock.set('2026-05-01T10:00:00Z');
      await expectNext(`overdue -> ${MAILBOXES.police}`);
      clock.set('2026-05-07T10:00:00Z');
      await pause(2500);
      expect(mail.received).toHaveLength(expected.length);
      clock.set('2026-05-08T10:00:00Z');
      await expectNext(`overdue -> ${MAILBOXES.police}`);
      clock.set('2026-05-30T10:00:00Z');
      await expectNext(`overdue -> ${MAILBOXES.police}`, `overdue-30-days -> ${SUBGROUP_EMAIL}`);
      // Evidence accepted: ready to close, so no longer awaiting assurance, in the digest as on the dashboard.
      const again = await service.request('POST', `/actions/${actionId}/evidence`, { as: police, body: { summary: SECRET } });
      await service.request('POST', `/actions/${actionId}/evidence/${again.body.id}/accept`, { as: SUBGROUP, body: {} });
      await expectNext(`evidence-decided -> ${MAILBOXES.police}`);
      // Monday 1 June, 8am in London.
      clock.set('2026-06-01T07:00:00Z');
      const [digest] = await expectNext(`weekly-digest -> ${SUBGROUP_EMAIL}`);
      expect(digest.subject).toBe('Weekly digest: 1 action overdue, 0 due within 30 days, 0 awaiting assurance');
      const { body: dashboard } = await service.request('GET', '/assurance', { as: SUBGROUP });
      expect(dashboard.totals).toMatchObject({ overdue: 1, awaitingAssurance: 0, readyToClose: 1 });
      expect(digest.text).toContain(
        `${reference} / ${actionId.slice(0, 8)}, Thames Valley Police, due 30 April 2026: ${PUBLIC_URL}/tracker/${actionId}`,
      );

      // Sweeps go on every second; none of them sends anything again.
      await pause(2500);
      expect(rulesTo(mail.received).sort()).toEqual([...expected].sort());
      for (const received of mail.received) {
        expect(received.raw).not.toContain(SECRET);
        expect(received.raw).not.toMatch(/Child-K|Elm/);
        expect(received.text.length).toBeGreaterThan(0);
        expect(received.html).toContain('<p>');
      }
      expect(new Set(mail.received.map((received) => received.messageId)).size).toBe(mail.received.length);

      const outbox = await service.request('GET', '/notifications', { as: SUBGROUP });
      expect(outbox.status).toBe(200);
      expect(outbox.body.items).toHaveLength(expected.length);
      expect(outbox.body.items.every((item: any) => item.status === 'sent' && item.attempts === 1 && item.sentAt)).toBe(true);
      expect(JSON.stringify(outbox.body)).not.toContain(SECRET);
      expect((await service.request('GET', '/notifications', { as: partnerUser('police') })).status).toBe(403);

      // The action's page tells the subgroup what its owner was sent.
      const cookie = await webSessionCookie(service, 'demo-subgroup');
      const page = await (await fetch(`${service.url}/tracker/${actionId}`, { headers: { cookie } })).text();
      const table = page.slice(page.indexOf('data-test="mail"'), page.indexOf('</table>', page.indexOf('data-test="mail"')));
      expect(table.slice(table.indexOf('<tbody')).match(/<tr class="govuk-table__row">/g)).toHaveLength(expected.length - 1);
      expect(table).toContain('Due in 7 days');
      expect(table).not.toContain('Weekly digest');
    }, 90_000);
  });

  describe('with the mail server down', () => {
    const clock = testClock('2026-01-06T10:00:00Z');
    let mail: TestMailServer;
    let service: TestService;
    beforeAll(async () => ({ mail, service } = await startMailed(clock, {}, { serverDown: true })), 60_000);
    afterAll(() => stopMailed({ mail, service }));

    const outbox = async () => (await service.request('GET', '/notifications?limit=500', { as: ADMIN })).body.items as any[];
    const waitForOutbox = async (check: (items: any[]) => boolean) => {
      for (let tries = 0; tries < 200; tries++, await pause(100)) if (check(await outbox())) return outbox();
      throw new Error(`the outbox never came right: ${JSON.stringify(await outbox())}`);
    };

    it('keeps mail pending and the service ready; a reassignment cancels the old owner’s; the backlog goes when the server is back', async () => {
      const { actionId } = await planWithOneAction(service);
      const withdrawn = await planWithOneAction2(service);
      await service.request('POST', `/actions/${actionId}/assign`, { as: SUBGROUP, body: { partnerId: 'police', dueDate: '2026-01-13' } });
      await service.request('POST', `/actions/${withdrawn}/assign`, {
        as: SUBGROUP,
        body: { partnerId: 'council', dueDate: '2026-06-30' },
      });
      let items = await waitForOutbox(
        (list) => list.some((item) => item.rule === 'due-in-7-days') && list.some((item) => item.attempts > 0),
      );
      expect(items.every((item) => item.status === 'pending')).toBe(true);
      expect(items.find((item) => item.attempts > 0).lastError).toMatch(/ECONNREFUSED/);

      const ready = await fetch(`${service.url}/health/ready`);
      expect(ready.status).toBe(200);
      // Anyone may ask whether the service is ready: the answer says what kind of failure, never where the mail server is.
      expect((await ready.json()).checks.mail).toMatchObject({ status: 'on', sending: true, serverError: 'ECONNREFUSED' });
      const cookie = await webSessionCookie(service, 'demo-admin');
      expect(await (await fetch(`${service.url}/admin/mail`, { headers: { cookie } })).text()).toContain(`127.0.0.1:${mail.port}`);

      expect((await service.request('GET', '/metrics', { as: ADMIN })).body).toMatch(/^mail_pending [1-9]/m);

      const reassigned = await service.request('POST', `/actions/${actionId}/assign`, {
        as: SUBGROUP,
        body: { partnerId: 'council', dueDate: '2026-02-28', reason: 'Children’s services lead the audit' },
      });
      expect(reassigned.status).toBe(200);
      await service.request('POST', `/actions/${withdrawn}/withdraw`, { as: SUBGROUP, body: { reason: 'Superseded' } });
      items = await waitForOutbox((list) => list.some((item) => item.actionId === actionId && item.partnerId === 'council'));
      const about = (id: string, partnerId: string) =>
        items
          .filter((item) => item.actionId === id && item.partnerId === partnerId)
          .map((item) => `${item.rule}: ${item.status}`)
          .sort();
      expect(about(actionId, 'police')).toEqual(['assigned: cancelled', 'due-in-7-days: cancelled']);
      expect(about(actionId, 'council')).toEqual(['assigned: pending']);
      expect(about(withdrawn, 'council')).toEqual(['assigned: cancelled']);

      await mail.up();
      // The sender rests after failures, by the same clock the rules use: an hour on, it has tried again.
      clock.set('2026-01-06T11:00:00Z');
      const received = await mail.waitForCount(1);
      await pause(2000);
      expect(rulesTo(received)).toEqual([`assigned -> ${MAILBOXES.council}`]);
      expect(mail.received).toHaveLength(1);
      items = await outbox();
      expect(items.find((item) => item.status === 'sent')).toMatchObject({ actionId, partnerId: 'council', rule: 'assigned' });
      expect(items.find((item) => item.status === 'sent').attempts).toBeGreaterThanOrEqual(1);

      // The mail page shows each state, in words, and passes axe.
      if (!existsSync(CHROMIUM)) return void process.stdout.write(`SKIPPED the mail page in a browser: no Chromium at ${CHROMIUM}.\n`);
      const browser = await launchBrowser();
      try {
        const page = await browser.context.newPage();
        await signInOnPage(page, service.url, 'demo-admin');
        await page.goto(`${service.url}/admin/mail`);
        const table = await page.textContent('table');
        for (const words of ['Sent', 'Cancelled', 'Action assigned', 'Due in 7 days', MAILBOXES.council]) expect(table).toContain(words);
        expect(await accessibilityViolations(page)).toEqual([]);
        await page.click('a:has-text("Cancelled")');
        expect(await page.textContent('caption')).toContain('cancelled');
        expect(await page.textContent('tbody')).not.toContain('Sent');
      } finally {
        await browser.close();
      }
    }, 90_000);
  });

  it('tells nobody of what an imported plan brings in, and reminds of its open actions as of any other', async () => {
    const { mail, service } = await startMailed(testClock('2026-01-06T10:00:00Z'));
    try {
      await planWithOneAction(service);
      const plan = [
        'Review reference,Review title,Review kind,Recommendation,Action,Partner,Lead,Raised on,Due date,Status,Closed on,Outcome,Themes',
        'RR-2025-09,Child N,Rapid review,Share the plan,Brief every school,police,,01/09/2025,10/01/2026,open,,,',
        'RR-2025-09,Child N,Rapid review,Share the plan,Audit the referrals,council,,01/09/2025,01/12/2025,open,,,',
        'RR-2025-09,Child N,Rapid review,Share the plan,Publish a briefing,police,,01/09/2025,30/11/2025,closed,20/11/2025,Completed,',
      ].join('\n');
      const imported = await fetch(`${service.url}/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await signToken(SUBGROUP)}`, 'content-type': 'text/csv' },
        body: plan,
      });
      expect(imported.status).toBe(201);
      const received = await mail.waitForCount(3);
      await pause(2500);
      expect(rulesTo(mail.received).sort()).toEqual(
        [`due-in-7-days -> ${MAILBOXES.police}`, `overdue -> ${MAILBOXES.council}`, `overdue-30-days -> ${SUBGROUP_EMAIL}`].sort(),
      );
      expect(received.find((item) => item.rule === 'overdue')!.text).toContain('was due on 1 December 2025 and is 36 days overdue');
    } finally {
      await stopMailed({ mail, service });
    }
  }, 60_000);

  it('counts a demonstration loaded at first start as history: only its reminders are mailed', async () => {
    const { mail, service } = await startMailed(testClock('2026-01-06T10:00:00Z'), { DEMO: 'on' });
    try {
      expect((await service.request('POST', '/partners/police/mailbox', { as: ADMIN, body: { email: MAILBOXES.police } })).status).toBe(
        200,
      );
      await mail.waitForCount(1);
      await pause(2000);
      const { items } = (await service.request('GET', '/notifications?limit=500', { as: ADMIN })).body;
      // The demonstration's own events (assignments, decisions, requests) mail nobody; what is due now by the calendar does.
      const byTheCalendar = ['due-in-30-days', 'due-in-7-days', 'overdue', 'overdue-30-days'];
      expect(items.length).toBeGreaterThan(0);
      expect(items.filter((item: { rule: string }) => !byTheCalendar.includes(item.rule))).toEqual([]);
      expect(mail.received.filter((received) => !byTheCalendar.includes(received.rule))).toEqual([]);
    } finally {
      await stopMailed({ mail, service });
    }
  }, 60_000);

  it('sends each mailbox its mail in the order of the events behind it, a reminder already due at once, naming review and agency', async () => {
    const { mail, service } = await startMailed(testClock('2026-01-06T10:00:00Z'), { SUBGROUP_EMAIL: '' });
    try {
      // No mailbox yet: the agency's mail waits, then goes all at once when one is set.
      const { actionId, reference } = await planWithOneAction(service, false);
      const police = partnerUser('police');
      const write = async (path: string, body: object, as = SUBGROUP) => {
        const answer = await service.request('POST', `/actions/${actionId}/${path}`, { as, body });
        expect(answer.status).toBeLessThan(300);
        return answer.body;
      };
      // Due in 20 days: the 30-day reminder is due at once, not at the next sweep.
      await write('assign', { partnerId: 'police', dueDate: '2026-01-26' });
      const refused = await write('extension-requests', { dueDate: '2026-02-28', reason: 'Waiting' }, police);
      await write(`extension-requests/${refused.id}/refuse`, { reason: 'Not agreed' });
      const agreed = await write('extension-requests', { dueDate: '2026-03-31', reason: 'Waiting still' }, police);
      await write(`extension-requests/${agreed.id}/approve`, {});
      await pause(1500);
      expect(mail.received).toEqual([]);
      await service.request('POST', '/partners/police/mailbox', { as: ADMIN, body: { email: MAILBOXES.police } });
      const received = await mail.waitForCount(4);
      expect(received.map((item) => item.rule)).toEqual(['assigned', 'due-in-30-days', 'extension-decided', 'extension-decided']);
      expect(received.slice(2).map((item) => item.subject)).toEqual([
        expect.stringContaining('was refused'),
        expect.stringContaining('was agreed'),
      ]);
      for (const item of received) expect(item.text).toContain(`${reference} / ${actionId.slice(0, 8)}`);
      expect(received[0].text).toContain('Thames Valley Police');
    } finally {
      await stopMailed({ mail, service });
    }
  }, 60_000);

  it('fails a mail the server refuses for good, and goes on with the rest; takes STARTTLS when offered', async () => {
    const { mail, service } = await startMailed(
      testClock('2026-01-06T10:00:00Z'),
      { MAIL_FROM: 'Safeguarding partnership <tracker@partnership.example>', SUBGROUP_EMAIL: '' },
      { offerStartTls: true },
    );
    mail.refused.add(MAILBOXES.police);
    try {
      const { actionId } = await planWithOneAction(service);
      const other = await planWithOneAction2(service);
      await service.request('POST', `/actions/${actionId}/assign`, { as: SUBGROUP, body: { partnerId: 'police', dueDate: '2026-06-30' } });
      await service.request('POST', `/actions/${other}/assign`, { as: SUBGROUP, body: { partnerId: 'council', dueDate: '2026-06-30' } });
      const [delivered] = await mail.waitForCount(1);
      expect(delivered.to).toBe(MAILBOXES.council);
      // The server offered STARTTLS with a certificate of its own making: the mail went encrypted all the same.
      expect(delivered.secure).toBe(true);
      expect(delivered.raw).toMatch(/^From: Safeguarding partnership <tracker@partnership\.example>/m);
      let items: any[] = [];
      for (let tries = 0; tries < 100 && !items.some((item) => item.status === 'failed'); tries++, await pause(100)) {
        items = (await service.request('GET', '/notifications?status=failed', { as: ADMIN })).body.items;
      }
      expect(items).toEqual([
        expect.objectContaining({ actionId, to: MAILBOXES.police, attempts: 1, lastError: expect.stringMatching(/550/) }),
      ]);
    } finally {
      await stopMailed({ mail, service });
    }
  }, 60_000);

  it('without SMTP_URL sends nothing, and /health/ready says so; partners are named and given mailboxes all the same', async () => {
    const service = await startService();
    try {
      const ready = await fetch(`${service.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect((await ready.json()).checks.mail).toEqual({ status: 'off', reason: 'SMTP_URL is not set: no mail is sent' });
      const { actionId } = await planWithOneAction(service);
      await service.request('POST', `/actions/${actionId}/assign`, { as: SUBGROUP, body: { partnerId: 'police', dueDate: '2026-01-10' } });
      expect((await service.request('GET', '/notifications', { as: ADMIN })).body).toEqual({ items: [] });
      const rename = (id: string, name: string) => service.request('POST', `/partners/${id}/name`, { as: ADMIN, body: { name } });
      expect((await rename('police', 'Thames Valley Police Service')).status).toBe(200);
      expect((await rename('nobody', 'Nobody')).status).toBe(404);
      const wrongMailbox = await service.request('POST', '/partners/police/mailbox', { as: ADMIN, body: { email: 'the police team' } });
      expect(wrongMailbox.status).toBe(400);
      expect(wrongMailbox.body.errors).toEqual([{ field: 'email', message: 'must be an email address, like team@agency.gov.uk' }]);
      const partners = await service.request('GET', '/partners', { as: SUBGROUP });
      expect(partners.body).toContainEqual({ id: 'police', name: 'Thames Valley Police Service', mailbox: MAILBOXES.police });
    } finally {
      await service.close();
    }
  });
});

/** A second action under its own review, for the same partners. */
async function planWithOneAction2(service: TestService): Promise<string> {
  const review = await service.request('POST', '/reviews', {
    as: SUBGROUP,
    body: { reference: `RR-${Math.floor(Math.random() * 1e6)}`, title: 'x', kind: 'rapid-review' },
  });
  const recommendation = await service.request('POST', `/reviews/${review.body.id}/recommendations`, { as: SUBGROUP, body: { text: 'y' } });
  const action = await service.request('POST', '/actions', {
    as: SUBGROUP,
    body: { recommendationId: recommendation.body.id, description: 'z' },
  });
  return action.body.id;
}
