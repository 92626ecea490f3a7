import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ActionStatus, CLOSURE_OUTCOMES, ClosureOutcome, EvidenceStatus, isOutstanding, isOverdue } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { ActionDocument } from '@app/read-models';

export class EvidenceView {
  @ApiProperty() id!: string;
  @ApiProperty() summary!: string;
  @ApiProperty({ type: String, nullable: true }) link!: string | null;
  @ApiProperty({ enum: ['submitted', 'accepted', 'rejected'] }) status!: EvidenceStatus;
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
  @ApiProperty({ enum: ['raised', 'assigned', 'evidenced', 'closed', 'withdrawn'] }) status!: ActionStatus;
  @ApiProperty({ description: 'Neither closed nor withdrawn' }) outstanding!: boolean;
  @ApiProperty({ description: 'Outstanding with a due date before today (UTC)' }) overdue!: boolean;
  @ApiPropertyOptional({ enum: CLOSURE_OUTCOMES, nullable: true }) outcome!: ClosureOutcome | null;
  @ApiProperty({ type: [EvidenceView] }) evidence!: EvidenceView[];
  @ApiProperty({ description: "The action stream's version; also the ETag" }) version!: number;
  @ApiProperty({ format: 'date-time' }) raisedAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ActionPageView {
  @ApiProperty({ type: [ActionView] }) items!: ActionView[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last' })
  nextCursor!: string | null;
}

export class HistoryEntryView {
  @ApiProperty() position!: string;
  @ApiProperty() version!: number;
  @ApiProperty() type!: string;
  @ApiProperty({ type: Object }) data!: object;
  @ApiProperty({ type: Object, description: 'sub, name, roles and partner of who did it' }) actor!: object;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty() eventId!: string;
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
    status: action.status,
    outstanding: isOutstanding(action.status),
    overdue: isOverdue(action.status, action.dueDate, today),
    outcome: action.outcome ?? null,
    evidence: action.evidence.map(({ id, summary, link, status }) => ({ id, summary, link: link ?? null, status })),
    version: action.version,
    raisedAt: action.raisedAt,
    updatedAt: action.updatedAt,
  };
}

export const historyEntry = (event: RecordedEvent): HistoryEntryView => ({
  position: event.position.toString(),
  version: event.version,
  type: event.type,
  data: event.data,
  actor: event.metadata.actor as object,
  recordedAt: event.recordedAt.toISOString(),
  eventId: event.eventId,
});
