import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Pool, PoolClient } from 'pg';
import { NotFound, REVIEW_KINDS, ReviewKind } from '@app/domain';
import { ReviewDocument, reviewList } from '@app/read-models';
import { CLOCK, Clock, utcDate } from '../clock/clock';
import { DATABASE_POOL } from '../database/database';
import { ActionCountsView, NO_ACTIONS, countActions } from '../read-models/action-counts';
import { onSnapshot } from '../read-models/snapshot';
import { SqlConditions } from '../read-models/sql-conditions';

export class RecommendationView {
  @ApiProperty() id!: string;
  @ApiProperty() text!: string;
  @ApiProperty({ type: [String] }) themes!: string[];
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: ActionCountsView }) actions!: ActionCountsView;
}

export class ReviewView {
  @ApiProperty() id!: string;
  @ApiProperty() reference!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: REVIEW_KINDS }) kind!: ReviewKind;
  @ApiProperty({ type: [String] }) themes!: string[];
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date' }) commissionedOn!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date' }) publishedOn!: string | null;
  @ApiProperty({ format: 'date-time' }) registeredAt!: string;
  @ApiProperty({ type: [RecommendationView] }) recommendations!: RecommendationView[];
  @ApiProperty({ type: ActionCountsView, description: 'The actions answering all its recommendations' }) actions!: ActionCountsView;
}

export class ListReviewsQuery extends Query<ReviewView[]> {}

export class GetReviewQuery extends Query<ReviewView> {
  constructor(readonly reviewId: string) {
    super();
  }
}

async function reviewViews(client: PoolClient, today: string, reviewId?: string): Promise<ReviewView[]> {
  const { rows } = await client.query<{ doc: ReviewDocument }>(
    `SELECT doc FROM ${reviewList.table} ${reviewId === undefined ? '' : 'WHERE key = $1'} ORDER BY registered_at, key`,
    reviewId === undefined ? [] : [reviewId],
  );
  const onlyThisReview = (conditions: SqlConditions) => {
    if (reviewId !== undefined) conditions.add((p) => `review_id = ${p(reviewId)}`);
  };
  const byReview = await countActions(client, today, 'review_id', { where: onlyThisReview });
  const byRecommendation = await countActions(client, today, "doc->>'recommendationId'", { where: onlyThisReview });
  return rows.map(({ doc }) => ({
    id: doc.reviewId,
    reference: doc.reference,
    title: doc.title,
    kind: doc.kind,
    themes: [...doc.themes],
    commissionedOn: doc.commissionedOn ?? null,
    publishedOn: doc.publishedOn ?? null,
    registeredAt: doc.registeredAt,
    recommendations: doc.recommendations.map((recommendation) => ({
      id: recommendation.recommendationId,
      text: recommendation.text,
      themes: [...recommendation.themes],
      recordedAt: recommendation.recordedAt,
      actions: byRecommendation.get(recommendation.recommendationId) ?? NO_ACTIONS,
    })),
    actions: byReview.get(doc.reviewId) ?? NO_ACTIONS,
  }));
}

@QueryHandler(ListReviewsQuery)
export class ListReviewsHandler implements IQueryHandler<ListReviewsQuery> {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(): Promise<ReviewView[]> {
    return onSnapshot(this.pool, (client) => reviewViews(client, utcDate(this.clock())));
  }
}

@QueryHandler(GetReviewQuery)
export class GetReviewHandler implements IQueryHandler<GetReviewQuery> {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ reviewId }: GetReviewQuery): Promise<ReviewView> {
    const [review] = await onSnapshot(this.pool, (client) => reviewViews(client, utcDate(this.clock()), reviewId));
    if (!review) throw new NotFound('review-not-found', 'No review has that id.');
    return review;
  }
}
