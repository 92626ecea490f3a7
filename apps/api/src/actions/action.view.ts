import { ApiProperty } from '@nestjs/swagger';
import {
  ACTION_STATUSES,
  ASSURANCE_STATES,
  ActionStatus,
  Assurance,
  CLOSURE_OUTCOMES,
  ClosureOutcome,
  EXTENSION_STATUSES,
  EVIDENCE_STATUSES,
  EvidenceStatus,
  ExtensionStatus,
  IMPACT_RESULTS,
  ImpactResult,
  daysBetween,
  isImpactCheckOverdue,
  isOutstanding,
  isOverdue,
  isSentBack,
} from '@app/domain';
import { ActionDocument } from '@app/read-models';

export class EvidenceView {
  @ApiProperty() id!: string;
  @ApiProperty() summary!: string;
  @ApiProperty({ type: String, nullable: true }) link!: string | null;
  @ApiProperty({ enum: EVIDENCE_STATUSES }) status!: EvidenceStatus;
  @ApiProperty({ type: String, nullable: true, description: "The subgroup's note on accepting it, or why it was rejected" })
  decision!: string | null;
}

export class ExtensionView {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'date', description: 'The due date asked for' }) dueDate!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ enum: EXTENSION_STATUSES }) status!: ExtensionStatus;
  @ApiProperty({ description: 'Who asked (their sub)' }) requestedBy!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Who decided (their sub)' }) decidedBy!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The approval's note, or why it was refused" }) decision!: string | null;
}

export class ActionView {
  @ApiProperty() id!: string;

  @ApiProperty() recommendationId!: string;
  @ApiProperty() reviewId!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ type: String, nullable: true }) successMeasure!: string | null;
  @ApiProperty({ type: [String] }) themes!: string[];
  @ApiProperty({ type: String, nullable: true }) partnerId!: string | null;
  @ApiProperty({ type: String, nullable: true }) lead!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) dueDate!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date', description: 'The due date first agreed' })
  originalDueDate!: string | null;
  @ApiProperty({ type: [ExtensionView], description: 'Every request for more time, in the order asked' })
  extensions!: ExtensionView[];
  @ApiProperty({ description: 'The current due date minus the first agreed one, in days' }) daysSlipped!: number;
  @ApiProperty({ enum: ACTION_STATUSES }) status!: ActionStatus;
  // null among the values too: a validator holds a nullable value to its enum all the same.
  @ApiProperty({
    enum: [...ASSURANCE_STATES, null],
    nullable: true,
    description: 'For an evidenced action: awaiting a decision on its evidence, or accepted and ready to close',
  })
  assurance!: Assurance | null;
  @ApiProperty({ description: 'Neither closed nor withdrawn' }) outstanding!: boolean;
  @ApiProperty({ description: 'Outstanding with a due date before today (in England)' }) overdue!: boolean;
  @ApiProperty({ description: 'Assigned again because the evidence sent last was rejected: see its decision for why' })
  sentBack!: boolean;
  @ApiProperty({ description: 'Closed, and the accepted evidence behind it was withdrawn: stale until re-assured or reopened' })
  assuranceStale!: boolean;
  @ApiProperty({ enum: [...CLOSURE_OUTCOMES, null], nullable: true, description: 'How it was closed, when it is' })
  outcome!: ClosureOutcome | null;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date',
    description: 'Closed as completed: when its impact on practice is to be checked',
  })
  impactReviewDue!: string | null;
  @ApiProperty({ enum: [...IMPACT_RESULTS, null], nullable: true, description: 'What the impact check found' })
  impact!: ImpactResult | null;
  @ApiProperty({ description: 'Its impact check is still to record and its date has passed' }) impactCheckOverdue!: boolean;
  @ApiProperty({ type: [EvidenceView] }) evidence!: EvidenceView[];
  @ApiProperty({ description: "The action stream's version; also the ETag" }) version!: number;
  @ApiProperty({ format: 'date-time', description: 'When the raising was recorded' }) raisedAt!: string;
  @ApiProperty({
    format: 'date',
    description: 'The day it was raised: the day an imported plan says, else the day it was recorded (in England)',
  })
  raisedOn!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

/** One action as `GET /actions/:id` answers it: with what the reader can do to it. */
export class ActionDetailView extends ActionView {
  @ApiProperty({
    type: [String],
    description:
      "What this user can do to the action as it stands, by the last segment of each write's path (assign, evidence, extension-requests, close, ...): [] for a reader, and as of or as at a past moment",
  })
  can!: string[];
}

export class ActionPageView {
  @ApiProperty({ type: [ActionView] }) items!: ActionView[];
  @ApiProperty({ description: 'How many actions the filters find, on every page' }) total!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last' })
  nextCursor!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the page before; null on the first' })
  previousCursor!: string | null;
}

export function actionView(action: ActionDocument, today: string): ActionView {
  return {
    id: action.actionId,
    recommendationId: action.recommendationId,
    reviewId: action.reviewId,
    description: action.description,
    successMeasure: action.successMeasure ?? null,
    themes: [...action.themes],
    partnerId: action.partnerId ?? null,
    lead: action.lead ?? null,
    dueDate: action.dueDate ?? null,
    originalDueDate: action.originalDueDate ?? null,
    extensions: action.extensions.map(({ id, dueDate, reason, status, requestedBy, decidedBy, decision }) => ({
      id,
      dueDate,
      reason,
      status,
      requestedBy,
      decidedBy: decidedBy ?? null,
      decision: decision ?? null,
    })),
    daysSlipped: action.dueDate && action.originalDueDate ? daysBetween(action.originalDueDate, action.dueDate) : 0,
    status: action.status,
    assurance: action.assurance ?? null,
    outstanding: isOutstanding(action.status),
    overdue: isOverdue(action.status, action.dueDate, today),
    outcome: action.outcome ?? null,
    impactReviewDue: action.impactReviewDue ?? null,
    impact: action.impact ?? null,
    impactCheckOverdue: isImpactCheckOverdue(action.impactCheckDue, today),
    evidence: action.evidence.map(({ id, summary, link, status, decision }) => ({
      id,
      summary,
      link: link ?? null,
      status,
      decision: decision ?? null,
    })),
    sentBack: isSentBack(action.status, action.evidence),
    assuranceStale: action.assuranceStale === true,
    version: action.version,
    raisedAt: action.raisedAt,
    raisedOn: action.raisedOn,
    updatedAt: action.updatedAt,
  };
}
