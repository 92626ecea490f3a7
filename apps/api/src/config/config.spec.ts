import { loadConfig } from './config';

const BASE = { AUTH_DEV_SECRET: 'a-development-secret-long-enough' };
const MAIL = {
  SMTP_URL: 'smtp://mail.partnership.example:25',
  MAIL_FROM: 'tracker@partnership.example',
  PUBLIC_URL: 'https://actions.example/',
};

describe('mail configuration', () => {
  it('is off, and says why, without SMTP_URL', () => {
    expect(loadConfig(BASE).mail).toEqual({ enabled: false, why: 'SMTP_URL is not set: no mail is sent' });
  });

  it('is on with the server, the sender and the public address; the subgroup mailbox is optional', () => {
    expect(loadConfig({ ...BASE, ...MAIL }).mail).toEqual({
      enabled: true,
      smtpUrl: MAIL.SMTP_URL,
      from: MAIL.MAIL_FROM,
      publicUrl: 'https://actions.example',
      sweepSeconds: 3600,
      assumed: [],
    });
    expect(
      loadConfig({ ...BASE, ...MAIL, SUBGROUP_EMAIL: 'subgroup@partnership.example', REMINDER_SWEEP_SECONDS: '60' }).mail,
    ).toMatchObject({
      subgroupEmail: 'subgroup@partnership.example',
      sweepSeconds: 60,
    });
    expect(loadConfig({ ...BASE, ...MAIL, MAIL_FROM: 'Safeguarding partnership <tracker@partnership.example>' }).mail).toMatchObject({
      from: 'Safeguarding partnership <tracker@partnership.example>',
    });
  });

  it('assumes the sender and the public address when they are not set, and says so', () => {
    expect(loadConfig({ ...BASE, SMTP_URL: MAIL.SMTP_URL, PORT: '8080' }).mail).toMatchObject({
      from: 'learning-actions@localhost',
      publicUrl: 'http://localhost:8080',
      assumed: [
        'PUBLIC_URL is not set: links in mail start with http://localhost:8080, which only this machine reaches',
        'MAIL_FROM is not set: mail is sent from learning-actions@localhost',
      ],
    });
  });

  it.each([
    [{ SMTP_URL: 'http://mail.example' }, 'SMTP_URL must start with smtp:// or smtps://.'],
    [{ PUBLIC_URL: 'actions.example' }, 'PUBLIC_URL is not a valid URL.'],
    [{ MAIL_FROM: 'tracker@partnership.example, x@y.example' }, 'MAIL_FROM must be one mail address, like actions@partnership.gov.uk'],
    [{ SUBGROUP_EMAIL: 'a@b.example, c@d.example' }, 'SUBGROUP_EMAIL must be one mail address, like subgroup@partnership.gov.uk.'],
    [{ SUBGROUP_EMAIL: '"a\r\nBcc: x@y.example"@b.example' }, 'SUBGROUP_EMAIL must be one mail address'],
    [{ MAIL_FROM: 'Actions\r\nBcc: x@y.example <tracker@partnership.example>' }, 'MAIL_FROM must be one mail address'],
    [{ REMINDER_SWEEP_SECONDS: '0' }, 'REMINDER_SWEEP_SECONDS must be a whole number, 1 or more.'],
  ])('refuses to start with %p, saying what to set', (change, message) => {
    expect(() => loadConfig({ ...BASE, ...MAIL, ...change })).toThrow(message);
  });
});

describe('the protective marking', () => {
  it('is OFFICIAL-SENSITIVE unless the partnership sets its own, one line of at most 60 characters', () => {
    expect(loadConfig(BASE).web.protectiveMarking).toBe('OFFICIAL-SENSITIVE');
    expect(loadConfig({ ...BASE, PROTECTIVE_MARKING: ' OFFICIAL ' }).web.protectiveMarking).toBe('OFFICIAL');
    for (const marking of ['TWO\nLINES', 'x'.repeat(61), '<b>', '']) {
      expect(() => loadConfig({ ...BASE, PROTECTIVE_MARKING: marking })).toThrow(/PROTECTIVE_MARKING/);
    }
  });
});
