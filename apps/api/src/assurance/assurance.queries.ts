import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Pool, PoolClient } from 'pg';
import { RAG_STATUSES, Rag, ragOf } from '@app/domain';
import { actionList, firstSpellings, partnerList, reviewList } from '@app/read-models';
import { DATABASE_POOL } from '../database/database-pool';
import { ActionCounts, ActionCountsView, NO_ACTIONS } from '../reads/action-counts';
import { PastAnswers, ReadMoment, ReadScope, ReadScopes, documentsIn } from '../reads/read-scope';
import { onSnapshot } from '../reads/snapshot';
import { SqlConditions } from '../reads/sql-conditions';

export class PartnerAssuranceView extends ActionCountsView {
  @ApiProperty() partnerId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({
    enum: RAG_STATUSES,
    description: 'red when a quarter or more of its outstanding actions are overdue, amber when any is, green when none is',
  })
  rag!: Rag;
  @ApiProperty({ description: 'Its closed actions whose accepted evidence was withdrawn, not yet assured again' })
  assuranceStale!: number;
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
  @ApiProperty({ format: 'date-time', description: 'When this picture was taken: what had been recorded by then' }) asOf!: string;
  @ApiPropertyOptional({ format: 'date', description: 'Asked for as at a past day: what had happened by the end of it' }) asAt?: string;
  @ApiProperty({ format: 'date', description: 'The day "overdue" was judged against (in England)' }) today!: string;
  @ApiProperty({ description: 'The position of the log this picture includes' }) position!: string;
  @ApiProperty({ type: [PartnerAssuranceView] }) partners!: PartnerAssuranceView[];
  @ApiProperty({ type: ActionCountsView }) totals!: ActionCountsView;
  @ApiProperty({ type: [ThemeAssuranceView] }) themes!: ThemeAssuranceView[];
  @ApiProperty({ type: [ReviewAssuranceView] }) reviews!: ReviewAssuranceView[];
}

export class GetAssuranceQuery extends Query<AssuranceView> {
  constructor(readonly moment: ReadMoment = {}) {
    super();
  }
}

/** How many closed actions of each agency wait to be assured again, counted by the index on stale assurance. */
async function staleAssuranceByPartner(client: PoolClient, scope: ReadScope): Promise<Map<string, number>> {
  const where = scope.restrict(
    new SqlConditions().add(() => 'assurance_stale'),
    actionList,
  );
  const { rows } = await client.query<{ partner_id: string; n: number }>(
    `SELECT partner_id, count(*)::int AS n FROM ${scope.table(actionList)} ${where.sql()} GROUP BY partner_id`,
    where.params,
  );
  return new Map(rows.map((row) => [row.partner_id, row.n]));
}

/** The whole partnership's assurance picture, every count from one snapshot of the read models. */
@QueryHandler(GetAssuranceQuery)
export class GetAssuranceHandler implements IQueryHandler<GetAssuranceQuery> {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    private readonly scopes: ReadScopes,
  ) {}

  private readonly past = new PastAnswers<Omit<AssuranceView, 'asOf' | 'asAt'>>();

  async execute({ moment }: GetAssuranceQuery): Promise<AssuranceView> {
    const scope = await this.scopes.resolve(moment);
    const picture = await this.past.answer(scope, () => this.picture(scope));
    return { asOf: scope.instant.toISOString(), ...(scope.asAt !== undefined && { asAt: scope.asAt }), ...picture };
  }

  private picture(scope: ReadScope): Promise<Omit<AssuranceView, 'asOf' | 'asAt'>> {
    return onSnapshot(this.pool, async (client) => {
      // One connection answers one query at a time: these run in turn, on the same snapshot.
      const partners = await documentsIn(client, scope, partnerList, "doc->>'name', key");
      const reviews = await documentsIn(client, scope, reviewList, 'registered_at, key');
      const counts = await ActionCounts.read(client, scope);
      const staleBy = await staleAssuranceByPartner(client, scope);
      const byPartner = counts.by((action) => [action.partnerId]);
      const byReview = counts.by((action) => [action.reviewId]);
      const byTheme = counts.byTheme(firstSpellings(reviews));
      return {
        today: scope.today,
        position: counts.position.toString(),
        partners: partners.map((doc) => {
          const counts = byPartner.get(doc.id) ?? NO_ACTIONS;
          return { partnerId: doc.id, name: doc.name, ...counts, rag: ragOf(counts), assuranceStale: staleBy.get(doc.id) ?? 0 };
        }),
        totals: counts.total,
        themes: [...byTheme].map(([theme, themeCounts]) => ({ theme, ...themeCounts })).sort((a, b) => a.theme.localeCompare(b.theme)),
        reviews: reviews.map((doc) => ({
          reviewId: doc.reviewId,
          reference: doc.reference,
          title: doc.title,
          ...(byReview.get(doc.reviewId) ?? NO_ACTIONS),
        })),
      };
    });
  }
}
