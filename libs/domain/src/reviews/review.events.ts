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

export type ReviewRegistered = DomainEvent<'ReviewRegistered', ReviewDetails>;

export type ReviewEvent = ReviewRegistered;
