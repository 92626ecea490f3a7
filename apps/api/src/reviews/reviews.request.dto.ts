import { OmitType, PartialType } from '@nestjs/swagger';
import { REVIEW_KINDS, ReviewKind } from '@app/domain';
import { CalendarDate, OneOf, Text, Themes, Uuid } from '../http/fields';

export class RegisterReviewRequest {
  @Uuid({ optional: true, description: 'Supply your own id to make the create safe to retry' })
  id?: string;

  @Text(64, { example: 'CSPR 2025/03' })
  reference!: string;

  @Text(300, { example: 'Child R: a child safeguarding practice review' })
  title!: string;

  @OneOf(REVIEW_KINDS, { example: 'cspr' })
  kind!: ReviewKind;

  @Themes({ optional: true })
  themes?: string[];

  @CalendarDate({ optional: true })
  commissionedOn?: string;

  @CalendarDate({ optional: true })
  publishedOn?: string;
}

export class RecordRecommendationRequest {
  @Uuid({ optional: true, description: 'Supply your own id to make the create safe to retry' })
  id?: string;

  @Text(4000, { example: 'Partners should ensure that pre-birth assessments consider the history of both parents.' })
  text!: string;

  @Themes({ optional: true, description: "Defaults to the review's themes" })
  themes?: string[];
}

/** Any of a review's details, each optional, and why they are being corrected. */
export class CorrectReviewRequest extends PartialType(OmitType(RegisterReviewRequest, ['id'] as const)) {
  @Text(4000, { example: 'The title misspelt the child’s pseudonym.' })
  reason!: string;
}

/** A recommendation's text or themes, and why they are being corrected. */
export class CorrectRecommendationRequest extends PartialType(OmitType(RecordRecommendationRequest, ['id'] as const)) {
  @Text(4000, { example: 'The recommendation was recorded under the wrong theme.' })
  reason!: string;
}
