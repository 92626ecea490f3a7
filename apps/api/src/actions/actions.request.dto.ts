import { FileFormat, FileFormatField } from '../files/table-file';
import { PartialType, PickType } from '@nestjs/swagger';
import { ACTION_STATUSES, ASSURANCE_STATES, Assurance, CLOSURE_OUTCOMES, ClosureOutcome, IMPACT_RESULTS, ImpactResult } from '@app/domain';
import { CalendarDate, Link, OneOf, Slug, Text, Themes, Uuid, WholeNumber } from '../http/fields';
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

  @Themes({ optional: true, description: "Defaults to the recommendation's themes" })
  themes?: string[];
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

/** A decision that may say a word: accepting evidence, approving an extension. */
export class ReassureRequest {
  @Text(4000, { example: 'A second audit of 20 cases shows the change held.' })
  note!: string;
}

export class DecisionNoteRequest {
  @Text(4000, { optional: true })
  note?: string;
}

export class RequestExtensionRequest {
  @Uuid({ optional: true, description: 'Supply your own id to make the request safe to retry' })
  id?: string;

  @CalendarDate({ description: 'The due date asked for: later than the current one, and not past' })
  dueDate!: string;

  @Text(4000, { example: 'The new case recording system goes live in June; the audit needs it.' })
  reason!: string;
}

export class RecordImpactRequest {
  @OneOf(IMPACT_RESULTS)
  result!: ImpactResult;

  @Text(4000, { example: 'Re-audit of 15 cases: both parents assessed in 14.' })
  note!: string;
}

/** An action's description or success measure, and why they are being corrected. */
export class CorrectActionRequest extends PartialType(PickType(RaiseActionRequest, ['description', 'successMeasure'] as const)) {
  @Text(4000, { example: 'The description named the wrong procedure.' })
  reason!: string;
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

export const ACTION_SORTS = ['dueDate', '-dueDate', 'updatedAt', '-updatedAt'] as const;
export type ActionSort = (typeof ACTION_SORTS)[number];

export const STATUS_FILTERS = [...ACTION_STATUSES, 'outstanding'] as const;

export class ListActionsRequest extends AsOfRequest {
  @Slug({ optional: true, description: 'Only actions owned by this partner agency' })
  partner?: string;

  @OneOf(STATUS_FILTERS, { optional: true, description: 'A lifecycle state, or outstanding (neither closed nor withdrawn)' })
  status?: (typeof STATUS_FILTERS)[number];

  @OneOf(['true', 'false'], { optional: true, description: 'Outstanding with a due date before today (in England), or not' })
  overdue?: 'true' | 'false';

  @Text(100, { optional: true, example: 'neglect' })
  theme?: string;

  @Text(100, { optional: true, description: 'Only actions answering this review' })
  review?: string;

  @OneOf(['pending'], { optional: true, description: 'Only actions with a request for more time awaiting a decision' })
  extension?: 'pending';

  @OneOf(ASSURANCE_STATES, {
    optional: true,
    description: 'Evidenced actions awaiting a decision on their evidence, or with evidence accepted and ready to close',
  })
  assurance?: Assurance;

  @OneOf(['due', 'overdue'], {
    optional: true,
    description: 'Closed as completed with the check of their impact on practice still to record (due), or past its date (overdue)',
  })
  impact?: 'due' | 'overdue';

  @Text(200, { optional: true, description: 'Words in the description, lead, review reference or title ("quoted phrases", -excluded)' })
  q?: string;

  @WholeNumber(0, 3650, { unit: 'days', description: 'Outstanding, and due between today and this many days on' })
  dueWithin?: number;

  @OneOf(ACTION_SORTS, {
    optional: true,
    description: 'The order: by due date (no date last) or last change; - for latest first. Default: as raised',
  })
  sort?: ActionSort;

  @WholeNumber(1, 500, { default: 100 })
  limit?: number;

  @Text(100, { optional: true, description: 'The nextCursor or previousCursor of the page before' })
  cursor?: string;

  @FileFormatField()
  format?: FileFormat;
}
