import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { ACTION_STATUSES, CLOSURE_OUTCOMES, ClosureOutcome } from '@app/domain';
import { CalendarDate, Link, OneOf, Slug, Text, Uuid } from '../http/fields';
import { AsOfRequest } from '../http/read-request';

export class RaiseActionRequest {
  @Uuid({ optional: true, description: 'Supply your own id to make the create safe to retry' })
  id?: string;

  @Text(100, { description: 'The recommendation this action answers' })
  recommendationId!: string;

  @Text(4000, { example: 'Revise the pre-birth assessment procedure to include both parents.' })
  description!: string;

  @Text(4000, { optional: true, example: 'Multi-agency audit shows both parents assessed in 90% of cases.' })
  successMeasure?: string;
}

export class AssignActionRequest {
  @Text(64, { example: 'county-council' })
  partnerId!: string;

  @CalendarDate()
  dueDate!: string;

  @Text(200, { optional: true, example: 'Head of Children’s Social Care' })
  lead?: string;

  @Text(4000, {
    optional: true,
    description: 'Why: required when the action is already assigned (a reassignment)',
    example: 'The work moved to the ICB',
  })
  reason?: string;
}

export class ReviseDueDateRequest {
  @CalendarDate()
  dueDate!: string;

  @Text(4000, { example: 'Procedure review delayed until the new case management system is live.' })
  reason!: string;
}

export class NoteProgressRequest {
  @Text(4000, { example: 'Draft procedure out for consultation with health and police.' })
  note!: string;
}

export class SubmitEvidenceRequest {
  @Uuid({ optional: true, description: 'Supply your own id to make the submission safe to retry' })
  id?: string;

  @Text(4000, { example: 'Revised procedure published; 48 practitioners trained.' })
  summary!: string;

  @Link({ optional: true })
  link?: string;
}

export class AcceptEvidenceRequest {
  @Text(4000, { optional: true })
  note?: string;
}

export class ReasonRequest {
  @Text(4000)
  reason!: string;
}

export class CloseActionRequest {
  @OneOf(CLOSURE_OUTCOMES)
  outcome!: ClosureOutcome;

  @Text(4000, { example: 'Audit of 20 cases in Q3 showed the change embedded in practice.' })
  rationale!: string;
}

export const STATUS_FILTERS = [...ACTION_STATUSES, 'outstanding'] as const;

export class ListActionsRequest extends AsOfRequest {
  @Slug({ optional: true, description: 'Only actions owned by this partner agency' })
  partner?: string;

  @OneOf(STATUS_FILTERS, { optional: true, description: 'A lifecycle state, or outstanding (neither closed nor withdrawn)' })
  status?: (typeof STATUS_FILTERS)[number];

  @OneOf(['true', 'false'], { optional: true, description: 'Outstanding with a due date before today (UTC), or not' })
  overdue?: 'true' | 'false';

  @Text(100, { optional: true, example: 'neglect' })
  theme?: string;

  @Text(100, { optional: true, description: 'Only actions answering this review' })
  review?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(1)
  @Max(500)
  limit?: number;

  @Text(100, { optional: true, description: 'The nextCursor of the previous page' })
  cursor?: string;
}
