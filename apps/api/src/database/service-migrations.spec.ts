import { openAndOwnedSql } from '@app/read-models';
import { SERVICE_MIGRATIONS } from './service-migrations';

describe("the service's migrations", () => {
  it('are numbered 1, 2, 3… in the order they are applied, each with a name', () => {
    expect(SERVICE_MIGRATIONS.map((migration) => migration.id)).toEqual(SERVICE_MIGRATIONS.map((_, index) => index + 1));
    for (const migration of SERVICE_MIGRATIONS) expect(migration.name.length).toBeGreaterThan(0);
  });

  it("keep the outbox's index of open and owned actions as the policy says them: a change to the policy needs a migration", () => {
    const predicates = SERVICE_MIGRATIONS.flatMap((migration) => [
      ...migration.sql.matchAll(/notification_actions_outstanding_ids ON notification_actions \(action_id\)\s+WHERE ([^;]+);/g),
    ]).map(([, predicate]) => predicate.trim());
    expect(predicates.at(-1)).toBe(openAndOwnedSql('status'));
  });
});
