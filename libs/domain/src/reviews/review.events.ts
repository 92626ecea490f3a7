import { Correction } from '../shared/correction';
import { DomainEvent } from '../shared/decider';

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
