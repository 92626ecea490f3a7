import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Pool, PoolClient } from 'pg';
import { Actor, Forbidden, NotFound, REVIEW_KINDS, ReviewKind, readsEverything } from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { recommendationStream, reviewStream } from '@app/domain';
import { ReviewDocument, reviewList } from '@app/read-models';
import { DATABASE_POOL } from '../database/database-pool';
import { HistoryEntryView, historyEntry } from '../reads/history-entry';
import { ActionCounts, ActionCountsView, NO_ACTIONS } from '../reads/action-counts';
import { ReadMoment, ReadScope, ReadScopes, documentsIn } from '../reads/read-scope';
import { onSnapshot } from '../reads/snapshot';
import { SqlConditions } from '../reads/sql-conditions';

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

export class ListReviewsQuery extends Query<ReviewView[]> {
  constructor(
    readonly actor: Actor,
    readonly moment: ReadMoment = {},
  ) {
    super();
  }
}

export class GetReviewQuery extends Query<ReviewView> {
  constructor(
    readonly reviewId: string,
    readonly actor: Actor,
    readonly moment: ReadMoment = {},
  ) {
    super();
  }
}

/** Whose actions a reader's review counts are of: every agency's, or a partner lead's own. */
const agencyOf = (actor: Actor): string | undefined => (readsEverything(actor) ? undefined : (actor.partnerId ?? ''));

/**
 * The reviews, each with its actions counted. For one agency, only the reviews in which it has an
 * action, and only its own actions counted: nothing of another agency's work.
 */
async function reviewViews(client: PoolClient, scope: ReadScope, agency: string | undefined, reviewId?: string): Promise<ReviewView[]> {
  const thisReview = (column: string) => (where: SqlConditions) =>
    reviewId === undefined ? where : where.add((p) => `${column} = ${p(reviewId)}`);
  const docs = await documentsIn(client, scope, reviewList, 'registered_at, key', thisReview('key')(new SqlConditions()));
  const counts = await ActionCounts.read(client, scope, (where) => {
    thisReview('review_id')(where);
    if (agency !== undefined) where.add((p) => `partner_id = ${p(agency)}`);
  });
  const byReview = counts.by((action) => [action.reviewId]);
  const byRecommendation = counts.by((action) => [action.recommendationId]);
  const shown = agency === undefined ? docs : docs.filter((doc) => byReview.has(doc.reviewId));
  return shown.map((doc) => ({
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
    private readonly scopes: ReadScopes,
  ) {}

  async execute({ actor, moment }: ListReviewsQuery): Promise<ReviewView[]> {
    const scope = await this.scopes.resolve(moment);
    return onSnapshot(this.pool, (client) => reviewViews(client, scope, agencyOf(actor)));
  }
}

@QueryHandler(GetReviewQuery)
export class GetReviewHandler implements IQueryHandler<GetReviewQuery> {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    private readonly scopes: ReadScopes,
  ) {}

  async execute({ reviewId, actor, moment }: GetReviewQuery): Promise<ReviewView> {
    const scope = await this.scopes.resolve(moment);
    const agency = agencyOf(actor);
    const [review] = await onSnapshot(this.pool, (client) => reviewViews(client, scope, agency, reviewId));
    if (review) return review;
    // A partner lead is told that a review is not theirs, as it is told of another agency's action.
    const [elsewhere] =
      agency === undefined ? [] : await onSnapshot(this.pool, (client) => reviewViews(client, scope, undefined, reviewId));
    if (elsewhere) throw new Forbidden('not-your-review', 'Your agency has no action in this review.');
    throw new NotFound('review-not-found', 'No review has that id.');
  }
}

export class GetReviewHistoryQuery extends Query<HistoryEntryView[]> {
  constructor(readonly reviewId: string) {
    super();
  }
}

/** The review's events and its recommendations', in the order they were recorded: its registration and every correction. */
@QueryHandler(GetReviewHistoryQuery)
export class GetReviewHistoryHandler implements IQueryHandler<GetReviewHistoryQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DATABASE_POOL) private readonly pool: Pool,
  ) {}

  /** Its recommendations are found in the review list; who may read it, the route's permission says (those who read every agency's work). */
  async execute({ reviewId }: GetReviewHistoryQuery): Promise<HistoryEntryView[]> {
    const { rows } = await this.pool.query<{ doc: ReviewDocument }>(`SELECT doc FROM ${reviewList.table} WHERE key = $1`, [reviewId]);
    if (rows.length === 0) throw new NotFound('review-not-found', 'No review has that id.');
    const recommendations = rows[0].doc.recommendations.map((recommendation) => recommendationStream(recommendation.recommendationId));
    const streams = [reviewStream(reviewId), ...recommendations];
    const events = (await Promise.all(streams.map(async (stream) => (await this.store.readStream(stream)).events))).flat();
    return events.sort((a, b) => (a.position < b.position ? -1 : 1)).map(historyEntry);
  }
}
