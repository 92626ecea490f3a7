import { createPublicKey } from 'node:crypto';
import { isCheckpointSignedBy } from '@app/audit';
import { ADMIN, AUDITOR, CHAIR, SUBGROUP, TestService, seedAction, signToken, startService } from './support/app';
import { pause } from './support/projection-checks';

describe('the audit log, its verification and signed checkpoints, over HTTP', () => {
  let service: TestService;
  let total: number;
  beforeAll(async () => {
    service = await startService({ env: { AUDIT_CHECKPOINT_EVERY: '5' } });
    for (let i = 0; i < 3; i++) await seedAction(service, [`partner-${i}`]);
    total = await service.headPosition();
  });
  afterAll(() => service.close());

  const pages = async (query: string) => {
    const items: { position: string }[] = [];
    let cursor: string | null = null;
    do {
      const page = await service.request('GET', `/audit/events?limit=4${query}${cursor ? `&cursor=${cursor}` : ''}`, { as: AUDITOR });
      expect(page.status).toBe(200);
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return items;
  };

  it('pages through every event in global order, with who recorded it', async () => {
    const all = await pages('');
    expect(all.map((event) => Number(event.position))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(all[0]).toMatchObject({
      streamId: 'partners',
      type: 'PartnerRegistered',
      metadata: { actor: { sub: ADMIN.sub, name: ADMIN.name, roles: ['admin'] } },
    });
    expect(all.every((event: any) => /^[0-9a-f]{64}$/.test(event.hash))).toBe(true);
  });

  it('filters by actor and by time', async () => {
    const byAdmin = await pages(`&actor=${ADMIN.sub}`);
    expect(byAdmin.map((event: any) => event.type)).toEqual(['PartnerRegistered', 'PartnerRegistered', 'PartnerRegistered']);
    const all = await pages('');
    const middle: any = all[Math.floor(all.length / 2)];
    const fromMiddle = await pages(`&from=${encodeURIComponent(middle.recordedAt)}`);
    expect(fromMiddle.every((event: any) => event.recordedAt >= middle.recordedAt)).toBe(true);
    expect(fromMiddle.map((e) => e.position)).toContain(middle.position);
    const untilMiddle = await pages(`&to=${encodeURIComponent(middle.recordedAt)}`);
    expect(untilMiddle.every((event: any) => event.recordedAt <= middle.recordedAt)).toBe(true);
    const bad = await service.request('GET', '/audit/events?from=yesterday', { as: AUDITOR });
    expect(bad).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ field: 'from' })] } });
  });

  it('streams the whole log as NDJSON', async () => {
    const response = await fetch(`${service.url}/audit/events`, {
      headers: { authorization: `Bearer ${await signToken(AUDITOR)}`, accept: 'application/x-ndjson' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual(await pages(''));
  });

  it('is for auditors only', async () => {
    for (const user of [CHAIR, SUBGROUP, ADMIN]) {
      expect((await service.request('GET', '/audit/events', { as: user })).status).toBe(403);
      expect((await service.request('GET', '/audit/verify', { as: user })).status).toBe(403);
    }
    expect((await service.request('GET', '/audit/events')).status).toBe(401);
  });

  it('signs checkpoints every N events that verify under the published key, and verifies the log against them', async () => {
    let checkpoints: any[] = [];
    for (let tries = 0; tries < 100 && checkpoints.length === 0; tries++, await pause(50)) {
      checkpoints = (await service.request('GET', '/audit/checkpoints', { as: AUDITOR })).body;
    }
    expect(checkpoints.length).toBeGreaterThan(0);
    const { body: key } = await service.request('GET', '/audit/public-key', { as: CHAIR });
    expect(key).toMatchObject({ algorithm: 'Ed25519', keyId: checkpoints[0].keyId });
    const publicKey = createPublicKey(key.publicKey);
    expect(checkpoints.every((checkpoint) => isCheckpointSignedBy(publicKey, checkpoint))).toBe(true);

    const verified = await service.request('GET', '/audit/verify', { as: AUDITOR });
    expect(verified).toMatchObject({ status: 200, body: { ok: true, checked: total, checkpoints: checkpoints.length } });
    expect(verified.body).not.toHaveProperty('firstBad');
  });

  // EventStoreDB has no way to edit an event in place; the tampering there is deleting streams, which checkpoints catch.
  const onEventStoreDb = process.env.TEST_EVENT_STORE === 'eventstoredb';
  if (onEventStoreDb) process.stdout.write('SKIPPED editing an event row: the events are in EventStoreDB, which cannot edit one.\n');
  (onEventStoreDb ? it.skip : it)('names the first bad position after someone with database access edits an event', async () => {
    await service.database.pool.query(
      `ALTER TABLE events DISABLE TRIGGER USER; UPDATE events SET data = jsonb_set(data::jsonb, '{name}', '"Someone else"')::json WHERE position = 1; ALTER TABLE events ENABLE TRIGGER USER`,
    );
    const verified = await service.request('GET', '/audit/verify', { as: AUDITOR });
    expect(verified).toMatchObject({
      status: 200,
      body: { ok: false, checked: 0, firstBad: { position: '1', stream: 'partners', reason: 'altered' } },
    });
  });
});
