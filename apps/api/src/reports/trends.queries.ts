import { Inject } from '@nestjs/common';
import { dayInEngland, monthEnds, quartersTo } from '@app/domain';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { Pool } from 'pg';
import { validOn } from '@app/projections';
import { actionEventsSql, actionHistory, overdueSql } from '@app/read-models';
import { CLOCK, Clock } from '../clock/clock';
import { DATABASE_POOL } from '../database/database-pool';
import { ValidationFailed } from '../http/problem';
import { onSnapshot } from '../reads/snapshot';

export class PartnerMonthView {
  @ApiProperty({ type: String, nullable: true, description: 'null for actions no agency owned' }) partnerId!: string | null;
  @ApiProperty() outstanding!: number;
  @ApiProperty() overdue!: number;
}

export class MonthView {
  @ApiProperty({ description: 'The month, YYYY-MM' }) month!: string;
  @ApiProperty({ format: 'date', description: 'The day the figures are at the end of: the last of the month, or today' }) day!: string;
  @ApiProperty() outstanding!: number;
  @ApiProperty() overdue!: number;
  @ApiProperty({ type: [PartnerMonthView] }) partners!: PartnerMonthView[];
}

export class QuarterView {
  @ApiProperty({ description: 'The calendar quarter, e.g. 2026-Q2' }) quarter!: string;
  @ApiProperty({ format: 'date' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
  @ApiProperty({ description: 'Actions closed in the quarter' }) closed!: number;
  @ApiProperty({ type: Object, description: 'By the agency that owned each when it was closed: { police: 3, ... }' })
  byPartner!: Record<string, number>;
}

export class TrendsView {
  @ApiProperty({ type: [MonthView], description: 'The last 12 months, oldest first' }) months!: MonthView[];
  @ApiProperty({ type: [QuarterView], description: 'The last 4 quarters, oldest first' }) quarters!: QuarterView[];
}

export class GetTrendsQuery extends Query<TrendsView> {
  constructor(
    /** The last day the trends run to (default today). */
    readonly until?: string,
  ) {
    super();
  }
}

/**
 * Outstanding and overdue actions per agency at the end of each day given: each action's version
 * valid on that day (`validOn`), as the assurance picture as at that day counts them.
 */
const MONTHS = `
  WITH ends AS (SELECT unnest($1::text[]) AS end_day)
  SELECT ends.end_day AS day, version.partner_id,
         count(*)::int AS outstanding,
         count(*) FILTER (WHERE ${overdueSql('true', 'version.due_date', 'ends.end_day')})::int AS overdue
    FROM ends JOIN ${actionHistory.table} AS version ON ${validOn('ends.end_day')}
   WHERE version.outstanding
   GROUP BY ends.end_day, version.partner_id`;

/** Closings per calendar quarter (by their day) and per the agency that owned the action. */
const CLOSINGS = `
  SELECT to_char(date_trunc('quarter', changed_on::date), 'YYYY-MM-DD') AS starts, partner_id, count(*)::int AS closed
    FROM ${actionHistory.table}
   WHERE change = ${actionEventsSql('ActionClosed')} AND changed_on >= $1 AND changed_on <= $2
   GROUP BY 1, 2`;

@QueryHandler(GetTrendsQuery)
export class GetTrendsHandler implements IQueryHandler<GetTrendsQuery> {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ until: asked }: GetTrendsQuery): Promise<TrendsView> {
    const today = dayInEngland(this.clock());
    if (asked && asked > today) throw new ValidationFailed([{ field: 'until', message: 'must be today or in the past' }]);
    const until = asked ?? today;
    const months = monthEnds(until);
    const quarters = quartersTo(until);
    const { counts, closings } = await onSnapshot(this.pool, async (client) => ({
      counts: (
        await client.query<{ day: string; partner_id: string | null; outstanding: number; overdue: number }>(MONTHS, [
          months.map((month) => month.day),
        ])
      ).rows,
      closings: (await client.query<{ starts: string; partner_id: string | null; closed: number }>(CLOSINGS, [quarters[0].from, until]))
        .rows,
    }));
    return {
      months: months.map(({ month, day }) => {
        const partners = counts
          .filter((row) => row.day === day && row.outstanding > 0)
          .map((row) => ({ partnerId: row.partner_id, outstanding: row.outstanding, overdue: row.overdue }));
        return {
          month,
          day,
          outstanding: partners.reduce((sum, row) => sum + row.outstanding, 0),
          overdue: partners.reduce((sum, row) => sum + row.overdue, 0),
          partners,
        };
      }),
      quarters: quarters.map((quarter) => {
        const rows = closings.filter((row) => row.starts === quarter.from);
        return {
          ...quarter,
          closed: rows.reduce((sum, row) => sum + row.closed, 0),
          byPartner: Object.fromEntries(rows.map((row) => [row.partner_id ?? 'unassigned', row.closed])),
        };
      }),
    };
  }
}
