import { ACTION_STATUSES, isOpenAndOwned, isOutstanding, isOverdue } from '@app/domain';
import { TestDatabase, createTestDatabase } from '@app/testing';
import { openAndOwnedSql, outstandingSql, overdueSql } from './action-policy.sql';

describe('the action policy in SQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(1);
  });
  afterAll(() => database.drop());

  it('says what the domain says of every status: open and owned', async () => {
    const { rows } = await database.pool.query<{ status: string; owned: boolean }>(
      `SELECT status, ${openAndOwnedSql('status')} AS owned FROM unnest($1::text[]) AS c(status)`,
      [ACTION_STATUSES],
    );
    expect(rows.map((row) => [row.status, row.owned])).toEqual(ACTION_STATUSES.map((status) => [status, isOpenAndOwned(status)]));
  });

  it('says what the domain says of every status and due date: outstanding, and overdue', async () => {
    const today = '2026-12-06';
    const dueDates = [null, '2025-01-31', '2026-12-05', today, '2026-12-07'];
    const cases = ACTION_STATUSES.flatMap((status) => dueDates.map((dueDate) => ({ status, dueDate })));
    const { rows } = await database.pool.query<{ status: string; due_date: string | null; outstanding: boolean; overdue: boolean }>(
      `SELECT status, due_date, ${outstandingSql('status')} AS outstanding, ${overdueSql(outstandingSql('status'), 'due_date', '$3::text')} AS overdue
         FROM unnest($1::text[], $2::text[]) AS c(status, due_date)`,
      [cases.map((c) => c.status), cases.map((c) => c.dueDate), today],
    );
    expect(rows).toHaveLength(cases.length);
    expect(rows.map((row) => ({ status: row.status, dueDate: row.due_date, outstanding: row.outstanding, overdue: row.overdue }))).toEqual(
      cases.map(({ status, dueDate }) => ({
        status,
        dueDate,
        outstanding: isOutstanding(status),
        overdue: isOverdue(status, dueDate, today),
      })),
    );
  });
});
