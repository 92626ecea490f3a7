import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { Pool } from 'pg';
import { REVIEW_KINDS, ReviewKind, dayInEngland, financialYearOf, themeKey, themesOrInherited } from '@app/domain';
import { validOn } from '@app/projections';
import { ReviewDocument, actionEventsSql, actionHistory, firstSpellings, overdueSql, reviewList } from '@app/read-models';
import { CLOCK, Clock } from '../clock/clock';
import { DATABASE_POOL } from '../database/database-pool';
import { ValidationFailed } from '../http/problem';
import { PartnerDirectory } from '../partners/partner-directory';
import { onSnapshot } from '../reads/snapshot';

export class KindCountsView {
  @ApiProperty() commissioned!: number;
  @ApiProperty() published!: number;
}

export class ReviewFiguresView extends KindCountsView {
  @ApiProperty({ type: Object, description: 'By kind of review: { cspr: { commissioned, published }, ... }' })
  byKind!: Record<ReviewKind, KindCountsView>;
}

export class RecommendationFiguresView {
  @ApiProperty({ description: 'Recommendations recorded in the period' }) total!: number;
  @ApiProperty({ type: Object, description: "By theme (a recommendation without themes takes its review's): { Neglect: 3, ... }" })
  byTheme!: Record<string, number>;
}

export class ActionFiguresView {
  @ApiProperty({ description: 'Raised in the period' }) raised!: number;
  @ApiProperty({ description: 'Closed in the period' }) closed!: number;
  @ApiProperty({ description: 'Of those, closed with impact on practice evidenced by the end of the period' }) closedWithImpact!: number;
  @ApiProperty({ description: 'Outstanding at the end of the period (or today, for a period not yet ended)' }) outstandingAtEnd!: number;
  @ApiProperty({ description: 'Of those, past their due date then' }) overdueAtEnd!: number;
  @ApiProperty({
    description: 'Current due date minus the first agreed one, summed over the actions outstanding at the end or closed in the period',
  })
  daysSlipped!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Median days from raised to closed, of those closed in the period' })
  medianDaysToClose!: number | null;
}

export class PartnerFiguresView extends ActionFiguresView {
  @ApiProperty({ type: String, nullable: true, description: 'null for actions no agency owned at the end' }) partnerId!: string | null;
  @ApiProperty() name!: string;
}

export class ActionsReportView extends ActionFiguresView {
  @ApiProperty({ type: [PartnerFiguresView], description: 'By the agency that owned each action at the end of the period' })
  byPartner!: PartnerFiguresView[];
}

export class ExtensionFiguresView {
  @ApiProperty() requested!: number;
  @ApiProperty() approved!: number;
  @ApiProperty() refused!: number;
  @ApiProperty({ description: 'Days the approved extensions moved due dates, in all' }) daysSlipped!: number;
}

export class RepeatThemeView {
  @ApiProperty() theme!: string;
  @ApiProperty({ type: [String], description: 'Every review with the theme, earlier ones first' }) reviews!: string[];
  @ApiProperty({ type: [String], description: 'Those of them from before the period' }) earlier!: string[];
}

export class YearlyReportView {
  @ApiProperty({ format: 'date' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
  @ApiProperty({ format: 'date', description: 'The day the figures "at the end" describe: the end of the period, or today if sooner' })
  asAt!: string;
  @ApiProperty({
    type: ReviewFiguresView,
    description: 'Reviews commissioned (or, without that date, registered) and published in the period',
  })
  reviews!: ReviewFiguresView;
  @ApiProperty({ type: RecommendationFiguresView }) recommendations!: RecommendationFiguresView;
  @ApiProperty({ type: ActionsReportView }) actions!: ActionsReportView;
  @ApiProperty({ type: ExtensionFiguresView, description: 'Requests for more time made and decided in the period' })
  extensions!: ExtensionFiguresView;
  @ApiProperty({
    type: [RepeatThemeView],
    description: "Themes of this period's reviews that earlier reviews had too: the lessons that come back",
  })
  repeatThemes!: RepeatThemeView[];
}

export class GetYearlyReportQuery extends Query<YearlyReportView> {
  constructor(
    readonly from: string | undefined,
    readonly to: string | undefined,
  ) {
    super();
  }
}

type ActionFigures = {
  partner_id: string | null;
  total_row: number;
  raised: number;
  closed: number;
  closed_with_impact: number;
  outstanding_at_end: number;
  overdue_at_end: number;
  days_slipped: number;
  median_days_to_close: number | null;
};

/**
 * Each action's version as it stood at the end of the day `$2` (by the days events count on), each
 * closing in the period, and the figures of both per owning agency and in all. Every event counts on
 * its day (`dayOf`), so that a plan imported with its history reports as it happened.
 */
const ACTION_FIGURES = `
  WITH ending AS (
    SELECT key, partner_id, status, outstanding, due_date, raised_on, outcome, original_due_date
      FROM ${actionHistory.table} WHERE ${validOn('$2')}
  ), closing AS (
    SELECT DISTINCT ON (key) key, closed_on
      FROM ${actionHistory.table} WHERE change = ${actionEventsSql('ActionClosed')} AND changed_on >= $1 AND changed_on <= $2
     ORDER BY key DESC, position DESC
  )
  SELECT ending.partner_id, GROUPING(ending.partner_id) AS total_row,
         count(*) FILTER (WHERE ending.raised_on >= $1)::int AS raised,
         count(closing.key)::int AS closed,
         count(closing.key) FILTER (WHERE ending.status = 'closed' AND ending.outcome = 'impact-evidenced')::int AS closed_with_impact,
         count(*) FILTER (WHERE ending.outstanding)::int AS outstanding_at_end,
         count(*) FILTER (WHERE ${overdueSql('ending.outstanding', 'ending.due_date', '$2')})::int AS overdue_at_end,
         coalesce(sum(ending.due_date::date - ending.original_due_date::date)
                  FILTER (WHERE ending.outstanding OR closing.key IS NOT NULL), 0)::int AS days_slipped,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY closing.closed_on::date - ending.raised_on::date) AS median_days_to_close
    FROM ending LEFT JOIN closing USING (key)
   GROUP BY GROUPING SETS ((ending.partner_id), ())`;

/** Requests for more time made and decided in the period, and the days the approvals added. */
const EXTENSION_FIGURES = `
  SELECT count(*) FILTER (WHERE version.change = ${actionEventsSql('ExtensionRequested')})::int AS requested,
         count(*) FILTER (WHERE version.change = ${actionEventsSql('ExtensionApproved')})::int AS approved,
         count(*) FILTER (WHERE version.change = ${actionEventsSql('ExtensionRefused')})::int AS refused,
         coalesce(sum(version.due_date::date - before.due_date::date) FILTER (WHERE version.change = ${actionEventsSql('ExtensionApproved')}), 0)::int AS days_slipped
    FROM ${actionHistory.table} AS version
    LEFT JOIN ${actionHistory.table} AS before ON before.key = version.key AND before.valid_to = version.position
   WHERE version.change IN (${actionEventsSql('ExtensionRequested', 'ExtensionApproved', 'ExtensionRefused')})
     AND version.changed_on >= $1 AND version.changed_on <= $2`;

const within = (day: string | undefined, from: string, to: string) => day !== undefined && day >= from && day <= to;

@QueryHandler(GetYearlyReportQuery)
export class GetYearlyReportHandler implements IQueryHandler<GetYearlyReportQuery> {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly partners: PartnerDirectory,
  ) {}

  async execute(query: GetYearlyReportQuery): Promise<YearlyReportView> {
    const today = dayInEngland(this.clock());
    const year = financialYearOf(today);
    const from = query.from ?? (query.to ? financialYearOf(query.to).from : year.from);
    const to = query.to ?? (query.from ? financialYearOf(query.from).to : year.to);
    if (from > to) throw new ValidationFailed([{ field: 'from', message: 'must be on or before to' }]);
    const asAt = to < today ? to : today;
    const names = Object.fromEntries((await this.partners.all()).map((partner) => [partner.id, partner.name]));
    const { figures, extensions, reviews } = await onSnapshot(this.pool, async (client) => ({
      figures: (await client.query<ActionFigures>(ACTION_FIGURES, [from, asAt])).rows,
      extensions: (await client.query<ExtensionFiguresView & { days_slipped: number }>(EXTENSION_FIGURES, [from, asAt])).rows[0],
      reviews: (await client.query<{ doc: ReviewDocument }>(`SELECT doc FROM ${reviewList.table} ORDER BY registered_at, key`)).rows.map(
        (row) => row.doc,
      ),
    }));
    const figuresOf = (row: ActionFigures | undefined): ActionFiguresView => ({
      raised: row?.raised ?? 0,
      closed: row?.closed ?? 0,
      closedWithImpact: row?.closed_with_impact ?? 0,
      outstandingAtEnd: row?.outstanding_at_end ?? 0,
      overdueAtEnd: row?.overdue_at_end ?? 0,
      daysSlipped: row?.days_slipped ?? 0,
      medianDaysToClose: row?.median_days_to_close ?? null,
    });
    const byPartner = figures
      .filter((row) => !row.total_row)
      .map((row) => ({
        partnerId: row.partner_id,
        name: row.partner_id ? (names[row.partner_id] ?? row.partner_id) : 'Not yet assigned',
        ...figuresOf(row),
      }))
      .sort((a, b) => (a.partnerId === null ? 1 : b.partnerId === null ? -1 : a.name.localeCompare(b.name)));
    return {
      from,
      to,
      asAt,
      ...reviewFigures(reviews, from, asAt),
      actions: { ...figuresOf(figures.find((row) => row.total_row)), byPartner },
      extensions: {
        requested: extensions.requested,
        approved: extensions.approved,
        refused: extensions.refused,
        daysSlipped: extensions.days_slipped,
      },
    };
  }
}

/** The day a review counts as commissioned on: its commissioning date, or the day it was registered when that is not recorded. */
const commissionedOn = (review: ReviewDocument) => review.commissionedOn ?? review.registeredOn;

/** Reviews, recommendations and the themes that come back, from the reviews as they stand (corrections applied). */
function reviewFigures(
  reviews: readonly ReviewDocument[],
  from: string,
  to: string,
): Pick<YearlyReportView, 'reviews' | 'recommendations' | 'repeatThemes'> {
  const byKind = Object.fromEntries(REVIEW_KINDS.map((kind) => [kind, { commissioned: 0, published: 0 }])) as Record<
    ReviewKind,
    KindCountsView
  >;
  const byTheme: Record<string, number> = {};
  const spellings = firstSpellings(reviews);
  const spelt = (theme: string) => spellings.get(themeKey(theme)) ?? theme;
  let recommendations = 0;
  for (const review of reviews) {
    if (within(commissionedOn(review), from, to)) byKind[review.kind].commissioned += 1;
    if (within(review.publishedOn, from, to)) byKind[review.kind].published += 1;
    for (const recommendation of review.recommendations) {
      if (!within(recommendation.recordedOn, from, to)) continue;
      recommendations += 1;
      for (const theme of themesOrInherited(recommendation.themes, review.themes)) byTheme[spelt(theme)] = (byTheme[spelt(theme)] ?? 0) + 1;
    }
  }
  const counted = Object.values(byKind);
  return {
    reviews: {
      commissioned: counted.reduce((sum, kind) => sum + kind.commissioned, 0),
      published: counted.reduce((sum, kind) => sum + kind.published, 0),
      byKind,
    },
    recommendations: { total: recommendations, byTheme },
    repeatThemes: repeatThemes(reviews, from, to, spelt),
  };
}

/** Themes of the reviews commissioned in the period that reviews commissioned before it had too, with every such review's reference. */
function repeatThemes(reviews: readonly ReviewDocument[], from: string, to: string, spelt: (theme: string) => string): RepeatThemeView[] {
  const inOrder = [...reviews].sort((a, b) => commissionedOn(a).localeCompare(commissionedOn(b)));
  const themesOf = (review: ReviewDocument) =>
    new Set([...review.themes, ...review.recommendations.flatMap((recommendation) => recommendation.themes)].map(themeKey));
  const found = new Map<string, { earlier: string[]; now: string[] }>();
  for (const review of inOrder) {
    const day = commissionedOn(review);
    if (day > to) continue;
    for (const key of themesOf(review)) {
      const theme = found.get(key) ?? { earlier: [], now: [] };
      (day < from ? theme.earlier : theme.now).push(review.reference);
      found.set(key, theme);
    }
  }
  return [...found.entries()]
    .filter(([, theme]) => theme.earlier.length && theme.now.length)
    .map(([key, theme]) => ({ theme: spelt(key), reviews: [...theme.earlier, ...theme.now], earlier: theme.earlier }))
    .sort((a, b) => b.reviews.length - a.reviews.length || a.theme.localeCompare(b.theme));
}
