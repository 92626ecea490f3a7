import { NOTIFICATION_RULES, NotificationRule } from '@app/domain';
import { MailSubject, actionReference, composeMail } from './mail';
import { OutboxMail } from './outbox';

const ACTION_ID = '3f2a91c0-5b1e-4c4e-9d2a-2f7f0b6f1a11';

const subjectFor = (rule: NotificationRule, facts: OutboxMail['facts'] = {}): MailSubject => ({
  mail: {
    id: 'b0c1d2e3-0000-4000-8000-000000000001',
    rule,
    actionId: rule === 'weekly-digest' ? undefined : ACTION_ID,
    partnerId: 'police',
    dueDate: '2026-04-30',
    facts,
    to: 'actions@police.example',
    status: 'pending',
    attempts: 0,
    createdAt: new Date('2026-04-23T10:00:00Z'),
  },
  action:
    rule === 'weekly-digest'
      ? undefined
      : {
          reference: actionReference('CSPR-2025-01', ACTION_ID),
          partnerName: 'Police & <Partners>',
          dueDate: '2026-04-30',
          link: `https://t.example/tracker/${ACTION_ID}`,
        },
  listed: { overdue: [], dueSoon: [], awaitingAssurance: [] },
  trackerUrl: 'https://t.example/tracker',
});

describe('a mail', () => {
  it('refers to an action by its review reference and the start of its id', () => {
    expect(actionReference('CSPR-2025-01', ACTION_ID)).toBe('CSPR-2025-01 / 3f2a91c0');
  });

  it.each(Object.keys(NOTIFICATION_RULES) as NotificationRule[])(
    '%s has a subject, a text part and an HTML part that escapes names',
    (rule) => {
      const mail = composeMail(
        subjectFor(rule, {
          decision: 'accepted',
          requestedDueDate: '2026-05-31',
          daysOverdue: '8',
          overdue: '0',
          dueSoon: '0',
          awaitingAssurance: '0',
        }),
      );
      expect(mail.subject.length).toBeGreaterThan(10);
      expect(mail.text).toContain('leaves out what the action says');
      expect(mail.html).not.toContain('<Partners>');
      if (rule !== 'weekly-digest') {
        expect(mail.text).toContain(`https://t.example/tracker/${ACTION_ID}`);
        expect(mail.html).toContain('Police &amp; &lt;Partners&gt;');
      }
    },
  );

  it('keeps the subject on one line whatever the names hold', () => {
    const subject = subjectFor('assigned');
    const named = { ...subject, action: { ...subject.action!, partnerName: 'Police\r\nBcc: everyone@example.com' } };
    expect(composeMail(named).subject).toBe(
      `Action CSPR-2025-01 / 3f2a91c0 is assigned to Police Bcc: everyone@example.com, due 30 April 2026`,
    );
  });

  it('says how many days are left, from the day it was decided', () => {
    expect(composeMail(subjectFor('due-in-7-days')).text).toContain('is due in 7 days, on 30 April 2026');
  });

  it('lists the digest’s actions, and links to the rest', () => {
    const subject = subjectFor('weekly-digest', { overdue: '30', dueSoon: '0', awaitingAssurance: '1' });
    const named = { reference: 'RR-1 / 00000000', partnerName: 'Police', dueDate: '2026-01-31', link: 'https://t.example/tracker/x' };
    const mail = composeMail({ ...subject, listed: { overdue: [named], dueSoon: [], awaitingAssurance: [named] } });
    expect(mail.subject).toBe('Weekly digest: 30 actions overdue, 0 due within 30 days, 1 awaiting assurance');
    expect(mail.text).toContain('- RR-1 / 00000000, Police, due 31 January 2026: https://t.example/tracker/x');
    expect(mail.text).toContain(
      'See all 30 in the tracker (29 more): https://t.example/tracker?status=outstanding&overdue=true&sort=dueDate',
    );
    expect(mail.text).toContain('Due within 30 days: none.');
  });
});
