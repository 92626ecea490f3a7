import { ChildProcess } from 'node:child_process';
import { TestDatabase, createTestDatabase } from '@app/testing';
import { ADMIN, AUDIT_SIGNING_KEY, DEV_SECRET, SUBGROUP, signToken } from './support/app';
import { TestMailServer } from './support/mail-server';
import { killHard, startServiceProcess } from './support/processes';
import { pause } from './support/projection-checks';

type Instance = Readonly<{ url: string; process: ChildProcess }>;

const MAILBOX = 'actions@police.example';

describe('mail from several service processes on one database', () => {
  let database: TestDatabase;
  let mail: TestMailServer;
  const instances: Instance[] = [];
  let subgroup: string;
  let admin: string;

  const startInstance = async (): Promise<Instance> => {
    const { url, child } = await startServiceProcess({
      DATABASE_URL: database.url,
      AUTH_DEV_SECRET: DEV_SECRET,
      AUDIT_SIGNING_KEY,
      DEMO: 'off',
      SMTP_URL: mail.url,
      MAIL_FROM: 'tracker@partnership.example',
      PUBLIC_URL: 'https://actions.partnership.example',
      REMINDER_SWEEP_SECONDS: '1',
    });
    const instance = { url, process: child };
    instances.push(instance);
    return instance;
  };
  const post = async (instance: Instance, path: string, body: object, as = subgroup) => {
    const response = await fetch(`${instance.url}${path}`, {
      method: 'POST',
      headers: { authorization: as, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  const sending = async (instance: Instance): Promise<boolean> => {
    const ready = await fetch(`${instance.url}/health/ready`).then((response) => response.json());
    return ready.checks.mail.sending === true;
  };
  const alive = (instance: Instance) => instance.process.exitCode === null && instance.process.signalCode === null;

  beforeAll(async () => {
    database = await createTestDatabase();
    mail = await TestMailServer.start();
    subgroup = `Bearer ${await signToken(SUBGROUP)}`;
    admin = `Bearer ${await signToken(ADMIN)}`;
    await startInstance();
    await startInstance();
  }, 90_000);
  afterAll(async () => {
    await Promise.all(instances.map((instance) => killHard(instance.process)));
    await mail.down();
    await database.drop();
  });

  it('send each mail once; a sender killed mid-send loses nothing and, restarted, sends nothing twice', async () => {
    const [first, second] = instances;
    await post(first, '/partners', { id: 'police', name: 'Thames Valley Police' }, admin);
    await post(second, '/partners/police/mailbox', { email: MAILBOX }, admin);
    const review = await post(first, '/reviews', { reference: 'CSPR-7', title: 'Child T', kind: 'cspr' });
    const recommendation = await post(second, `/reviews/${review.id}/recommendations`, { text: 'Share information sooner' });
    const assign = async (instance: Instance, n: number) => {
      const action = await post(instance, '/actions', { recommendationId: recommendation.id, description: `Action ${n}` });
      // Due well ahead, so that only the assignment is mailed.
      await post(instance, `/actions/${action.id}/assign`, { partnerId: 'police', dueDate: '2099-03-31' });
      return action.id;
    };

    let leaders: boolean[] = [];
    for (let tries = 0; tries < 100 && !leaders.includes(true); tries++, await pause(50))
      leaders = await Promise.all(instances.map(sending));
    expect(leaders.filter(Boolean)).toHaveLength(1);

    const actions: string[] = [];
    for (let n = 0; n < 6; n++) actions.push(await assign(instances[n % 2], n));
    await mail.waitForCount(6);

    // The mail server takes the next mail's data and holds its answer: the sender is killed while it waits.
    mail.hold();
    for (let n = 6; n < 9; n++) actions.push(await assign(second, n));
    for (let tries = 0; tries < 200 && mail.arrived < 7; tries++) await pause(50);
    expect(mail.arrived).toBe(7);
    const leader = instances[leaders.indexOf(true)];
    await killHard(leader.process);
    for (let tries = 0; tries < 200 && mail.openConnections > 0; tries++) await pause(25);
    expect(mail.openConnections).toBe(0);
    mail.releaseHeld();
    const restarted = await startInstance();

    await mail.waitForCount(9, 30_000);
    await pause(3000);
    const received = mail.received;
    expect(received).toHaveLength(9);
    expect(received.every((item) => item.rule === 'assigned' && item.to === MAILBOX)).toBe(true);
    expect(new Set(received.map((item) => item.messageId)).size).toBe(9);
    const links = received.map((item) => /\/tracker\/([0-9a-f-]{36})/.exec(item.text)?.[1]).sort();
    expect(links).toEqual([...actions].sort());
    // The mail held when its sender died was handed over again, by whichever instance leads now.
    expect(mail.arrived).toBe(10);

    const survivors = instances.filter(alive);
    expect(survivors).toContain(restarted);
    const outbox = await fetch(`${restarted.url}/notifications`, { headers: { authorization: subgroup } }).then((response) =>
      response.json(),
    );
    expect(outbox.items).toHaveLength(9);
    expect(outbox.items.every((item: { status: string }) => item.status === 'sent')).toBe(true);
    const nowSending = await Promise.all(survivors.map(sending));
    expect(nowSending.filter(Boolean)).toHaveLength(1);
  }, 120_000);
});
