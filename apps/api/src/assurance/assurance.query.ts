import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { Pool } from 'pg';
import { PartnerDocument, ReviewDocument, partnerList, reviewList } from '@app/read-models';
import { CLOCK, Clock, utcDate } from '../clock/clock';
import { DATABASE_POOL } from '../database/database';
import { ActionCountsView, NO_ACTIONS, countActions } from '../read-models/action-counts';
import { onSnapshot } from '../read-models/snapshot';

export class PartnerAssuranceView extends ActionCountsView {
  @ApiProperty() partnerId!: string;
  @ApiProperty() name!: string;
}

export class ThemeAssuranceView extends ActionCountsView {
  @ApiProperty() theme!: string;
}

export class ReviewAssuranceView extends ActionCountsView {
  @ApiProperty() reviewId!: string;
  @ApiProperty() reference!: string;
  @ApiProperty() title!: string;
}

export class AssuranceView {
  @ApiProperty({ format: 'date-time', description: 'When this picture was taken' }) asOf!: string;
  @ApiProperty({ format: 'date', description: 'The day "overdue" was judged against (UTC)' }) today!: string;
  @ApiProperty({ description: 'The position of the log this picture includes' }) position!: string;
  @ApiProperty({ type: [PartnerAssuranceView] }) partners!: PartnerAssuranceView[];
  @ApiProperty({ type: ActionCountsView }) totals!: ActionCountsView;
  @ApiProperty({ type: [ThemeAssuranceView] }) themes!: ThemeAssuranceView[];
  @ApiProperty({ type: [ReviewAssuranceView] }) reviews!: ReviewAssuranceView[];
}

export class GetAssuranceQuery extends Query<AssuranceView> {}

/** The whole partnership's assurance picture, every count from one snapshot of the read models. */
@QueryHandler(GetAssuranceQuery)
export class GetAssuranceHandler implements IQueryHandler<GetAssuranceQuery> {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(): Promise<AssuranceView> {
    const now = this.clock();
    const today = utcDate(now);
    return onSnapshot(this.pool, async (client, position) => {
      // One connection answers one query at a time: these run in turn, on the same snapshot.
      const partners = await client.query<{ doc: PartnerDocument }>(`SELECT doc FROM ${partnerList.table} ORDER BY doc->>'name', key`);
      const reviews = await client.query<{ doc: ReviewDocument }>(`SELECT doc FROM ${reviewList.table} ORDER BY registered_at, key`);
      const byPartner = await countActions(client, today, 'partner_id');
      const byReview = await countActions(client, today, 'review_id');
      const byTheme = await countActions(client, today, 'theme', { from: "jsonb_array_elements_text(doc->'themes') AS theme" });
      const totals = await countActions(client, today, 'NULL');
      return {
        asOf: now.toISOString(),
        today,
        position: position.toString(),
        partners: partners.rows.map(({ doc }) => ({ partnerId: doc.id, name: doc.name, ...(byPartner.get(doc.id) ?? NO_ACTIONS) })),
        totals: totals.get(null) ?? NO_ACTIONS,
        themes: [...byTheme].map(([theme, counts]) => ({ theme: theme!, ...counts })).sort((a, b) => a.theme.localeCompare(b.theme)),
        reviews: reviews.rows.map(({ doc }) => ({
          reviewId: doc.reviewId,
          reference: doc.reference,
          title: doc.title,
          ...(byReview.get(doc.reviewId) ?? NO_ACTIONS),
        })),
      };
    });
  }
}
