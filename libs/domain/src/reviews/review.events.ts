import { Correction } from '../shared/correction';
import { DomainEvent } from '../shared/decider';
import { CalendarDate, EventSchemas, Fields, Id, OneOf, Text, Themes, corrected, optional, previous } from '../shared/event-schema';
import { TEXT_LIMITS } from '../shared/value-rules';

export const REVIEW_KINDS = [
  'cspr',
  'rapid-review',
  'national-review',
  'local-learning-review',
  'multi-agency-audit',
  'inspection',
  'other',
] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];

export type ReviewDetails = Readonly<{
  reviewId: string;
  reference: string;
  title: string;
  kind: ReviewKind;
  themes: readonly string[];
  commissionedOn?: string;
  publishedOn?: string;
}>;

/** What a correction may change about a review: everything but its id. */
export type ReviewTexts = Omit<ReviewDetails, 'reviewId'>;

export type ReviewRegistered = DomainEvent<'ReviewRegistered', ReviewDetails>;
export type ReviewCorrected = DomainEvent<'ReviewCorrected', { reviewId: string; reason: string } & Correction<ReviewTexts>>;

export type ReviewEvent = ReviewRegistered | ReviewCorrected;

const REVIEW_TEXTS: Fields<ReviewTexts> = {
  reference: Text(TEXT_LIMITS.reference),
  title: Text(TEXT_LIMITS.title),
  kind: OneOf(REVIEW_KINDS),
  themes: Themes,
  commissionedOn: optional(CalendarDate),
  publishedOn: optional(CalendarDate),
};

export const REVIEW_EVENT_SCHEMAS: EventSchemas<ReviewEvent> = {
  ReviewRegistered: { reviewId: Id, ...REVIEW_TEXTS },
  ReviewCorrected: { reviewId: Id, reason: Text(TEXT_LIMITS.long), corrected: corrected(REVIEW_TEXTS), previous: previous(REVIEW_TEXTS) },
};
