import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import {
  ActionCommand,
  Decider,
  DomainError,
  DomainEvent,
  InvalidEvent,
  NotFound,
  Partner,
  RecommendationState,
  RecordRecommendation,
  RegisterReview,
  ReviewState,
  actionDecider,
  actionStream,
  dayInEngland,
  fold,
  recommendationDecider,
  recommendationStream,
  reviewDecider,
  reviewStream,
  reviewReferenceKey,
} from '@app/domain';
import { breathe, inSlices } from '@app/event-store';
import { ReviewDocument, actionList, reviewList } from '@app/read-models';
import { AnsweredAsProblem } from '../http/problem';
import { CLOCK, Clock } from '../clock/clock';
import { DATABASE_POOL } from '../database/database-pool';
import { PartnerDirectory } from '../partners/partner-directory';
import { ReviewReader } from '../reviews/review-reader';
import { formatDate } from '../words/words';
import { JointWrite, JointWriteRefused, RECORDED, StreamWriter, WriteAnswer, jointWrite } from '../write/stream-writer';
import { WriteContext } from '../write/write-context';
import { Column, PartnerLookup, PlanError, PlanRow, ReviewOfPlan, checkPlan, reviewsIn, sentence } from './action-plan';
import { readPlanFile } from './plan-file';

export class ImportCountsView {
  @ApiProperty() reviews!: number;
  @ApiProperty() recommendations!: number;
  @ApiProperty() actions!: number;
}

export class PlanErrorView {
  @ApiProperty({ description: 'The row of the spreadsheet, the header being row 1' }) row!: number;
  @ApiProperty({ description: 'The column' }) field!: string;
  @ApiProperty() message!: string;
}

/** An action the import would add, as the file gives it: read it back before importing, to see each date was read as meant. */
export class PlannedActionView {
  @ApiProperty({ description: 'The row of the spreadsheet, the header being row 1' }) row!: number;
  @ApiProperty() reviewReference!: string;
  @ApiProperty() action!: string;
  @ApiProperty({ description: "The owning partner agency's id" }) partnerId!: string;
  @ApiProperty({ format: 'date', description: "Its own, or else its review's first date in the file" }) raisedOn!: string;
  @ApiProperty({ format: 'date' }) dueDate!: string;
  @ApiProperty({ enum: ['open', 'closed', 'withdrawn'] }) status!: string;
  @ApiProperty({ format: 'date', required: false }) closedOn?: string;
}

export class SkippedRowView {
  @ApiProperty() row!: number;
  @ApiProperty() reason!: string;
}

/** What an import would do, or refused to: every row checked. */
export class ImportCheckView {
  @ApiProperty({ description: 'Rows of actions in the file, the header aside' }) rows!: number;
  @ApiProperty({ description: 'Whether every row can be imported' }) valid!: boolean;
  @ApiProperty({ type: [PlanErrorView] }) errors!: PlanErrorView[];
  @ApiProperty({ type: ImportCountsView }) wouldCreate!: ImportCountsView;
  @ApiProperty({ type: [SkippedRowView], description: 'Rows already imported, from this file or another' }) skipped!: SkippedRowView[];
  @ApiProperty({ type: [PlannedActionView], description: 'The actions it would add, row by row, with their dates as read' })
  actions!: PlannedActionView[];
}

export class ImportedView {
  @ApiProperty({ description: 'The import: the same file always has the same id' }) id!: string;
  @ApiProperty({ type: ImportCountsView }) created!: ImportCountsView;
  @ApiProperty({ type: [SkippedRowView] }) skipped!: SkippedRowView[];
  @ApiProperty({ description: 'For ?position= on reads' }) position!: string;
}

/** The file's rows had errors: nothing was written. */
export class PlanRefused extends AnsweredAsProblem {
  constructor(readonly check: ImportCheckView) {
    super(`${check.errors.length} problem${check.errors.length === 1 ? '' : 's'} in the file: nothing was imported.`, {
      status: 422,
      code: 'plan-has-errors',
      members: { ...check },
    });
  }
}

export class ImportPlanCommand extends Command<ImportCheckView | ImportedView> {
  constructor(
    readonly file: Buffer,
    readonly mediaType: string,
    readonly dryRun: boolean,
    readonly context: WriteContext,
  ) {
    super();
  }
}

/** A UUID made from a name: the same review, recommendation or action from any file, however often imported, has one id. */
export function idFor(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Rows turned into writes before the event loop is let through. */
const PLANNED_BETWEEN_BREATHS = 100;

/** Which part of a row a write records: its review, its recommendation, the action raised and assigned, or its closing or withdrawal. */
type Part = 'review' | 'recommendation' | 'raise' | 'end';
/** What planning a file's writes keeps as it goes: the writes, and the reviews and recommendations met so far. */
type Planning = Readonly<{
  add: (write: JointWrite, row: number, part: Part) => void;
  context: WriteContext;
  reviews: Map<string, Promise<ReviewState> | ReviewState>;
  recommendations: Map<string, Promise<RecommendationState> | RecommendationState>;
}>;

/** The writes the plan makes, in order, each with the row and part it records; and the rows skipped as imported before. */
type PlanWrites = Readonly<{
  writes: JointWrite[];
  origins: Readonly<{ row: number; part: Part }>[];
  skipped: SkippedRowView[];
  actions: PlannedActionView[];
}>;

/** The column an event's field comes from, for saying where in the file a refused write's problem lies. */
const COLUMN_OF_FIELD: Readonly<Record<string, Column>> = {
  reviewId: 'review reference',
  commissionedOn: 'commissioned on',
  publishedOn: 'published on',
  reference: 'review reference',
  title: 'review title',
  kind: 'review kind',
  text: 'recommendation',
  description: 'action',
  partnerId: 'partner',
  lead: 'lead',
  dueDate: 'due date',
  outcome: 'outcome',
  impactReviewDue: 'closed on',
  themes: 'themes',
};
/** The column that gives the day each part of a row happened on. */
const DAY_COLUMN_OF_PART: Readonly<Record<Part, Column>> = {
  review: 'commissioned on',
  recommendation: 'commissioned on',
  raise: 'raised on',
  end: 'closed on',
};
const COLUMN_OF_PART: Readonly<Record<Part, Column>> = {
  review: 'review reference',
  recommendation: 'recommendation',
  raise: 'action',
  end: 'status',
};

/** Where in the file a refusal of the write at `origin` lies: each field at fault, or the part's own column. */
function errorsOf(error: DomainError, { row, part }: { row: number; part: Part }): PlanError[] {
  if (!(error instanceof InvalidEvent)) return [{ row, field: COLUMN_OF_PART[part], message: error.message }];
  return error.problems.map(({ field, message }) => {
    const name = field.split('.').at(-1) ?? field;
    const column = name === 'occurredOn' ? DAY_COLUMN_OF_PART[part] : (COLUMN_OF_FIELD[name] ?? COLUMN_OF_PART[part]);
    return { row, field: column, message: `${sentence(column)} ${message}` };
  });
}

/**
 * A write of the import, on a stream whose id the import made from what it records: made only on a
 * stream that holds nothing yet. Another import of the same rows that got there first keeps its
 * history, and this write records nothing.
 */
function importWrite<State, Command, Event extends DomainEvent>(
  decider: Decider<State, Command, Event>,
  streamId: string,
  command: Command | readonly Command[],
  context: WriteContext,
  id: string,
): JointWrite {
  return jointWrite({ decider, streamId, command, context, answer: { id }, newStream: true }, { onlyIfNew: true });
}

/** The state a command leaves a stream in that holds nothing yet: the fact the writes after it are decided on. */
function stateAfter<State, Command, Event extends DomainEvent>(decider: Decider<State, Command, Event>, command: Command): State {
  try {
    return fold(decider, decider.decide(command, decider.initialState));
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // The write itself is refused, and says why; what depends on it is refused for want of it.
    return decider.initialState;
  }
}

@CommandHandler(ImportPlanCommand)
export class ImportPlanHandler implements ICommandHandler<ImportPlanCommand> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly partners: PartnerDirectory,
    private readonly reviews: ReviewReader,
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ file, mediaType, dryRun, context }: ImportPlanCommand): Promise<ImportCheckView | ImportedView> {
    const { rows, formulas } = await readPlanFile(file, mediaType);
    const header = rows[0]?.cells ?? [];
    const formulaErrors = formulas.map(({ row, column }) => ({
      row,
      field: (typeof header[column - 1] === 'string' ? (header[column - 1] as string) : String(column)).toLowerCase(),
      message: 'The cell holds a formula: enter the value itself',
    }));
    const partners = await this.partners.all();
    const { plan, errors } = await checkPlan(rows, partnerLookup(partners));
    const planned = await this.writesFor(plan, partners, context);
    const check = (decided: { errors: PlanError[]; answers: WriteAnswer[] }): ImportCheckView => {
      const all = mergeErrors([...formulaErrors, ...errors, ...decided.errors]);
      return {
        rows: Math.max(0, rows.length - 1),
        valid: all.length === 0,
        errors: all,
        wouldCreate: createdBy(planned, decided.answers),
        skipped: planned.skipped,
        actions: planned.actions,
      };
    };
    const sound = formulaErrors.length === 0 && errors.length === 0;
    // The dry run decides and checks every write exactly as the import does, and appends nothing.
    const decided = await this.decide(planned, { dryRun: dryRun || !sound });
    if (dryRun || !sound || decided.errors.length > 0) {
      const result = check(decided);
      if (dryRun) return result;
      throw new PlanRefused(result);
    }
    const position = decided.answers.reduce(
      (highest, answer) => (BigInt(answer.position) > highest ? BigInt(answer.position) : highest),
      0n,
    );
    return {
      id: idFor('import', createHash('sha256').update(file).digest('hex')),
      created: createdBy(planned, decided.answers),
      skipped: planned.skipped,
      position: position.toString(),
    };
  }

  /** The plan's writes made together (or, in a dry run, decided and checked only): their answers, or each refusal as errors of its row. */
  private async decide(planned: PlanWrites, { dryRun }: { dryRun: boolean }): Promise<{ errors: PlanError[]; answers: WriteAnswer[] }> {
    try {
      return { errors: [], answers: await this.writer.executeTogether(planned.writes, { dryRun }) };
    } catch (error) {
      if (!(error instanceof JointWriteRefused)) throw error;
      // A recommendation or action refused only for want of the review or recommendation refused before it says nothing new.
      const causes = error.refusals.filter(({ error: refusal }) => !(refusal instanceof NotFound));
      const told = causes.length > 0 ? causes : error.refusals;
      return { errors: told.flatMap(({ index, error: refusal }) => errorsOf(refusal, planned.origins[index])), answers: [] };
    }
  }

  /** The review a row names: the one recorded under its reference, or one registered by the plan, once. */
  private planReview(planning: Planning, row: PlanRow, ofPlan: ReviewOfPlan, review: ReviewDocument | undefined): string {
    const reviewId = review?.reviewId ?? idFor('review', reviewReferenceKey(row.reference));
    if (planning.reviews.has(reviewId)) return reviewId;
    if (review) {
      planning.reviews.set(reviewId, this.reviews.review(reviewId));
      return reviewId;
    }
    const register: RegisterReview = {
      type: 'RegisterReview',
      reviewId,
      reference: row.reference,
      title: row.title ?? row.reference,
      kind: row.kind ?? 'other',
      themes: row.themes,
      commissionedOn: ofPlan.commissionedOn,
      publishedOn: ofPlan.publishedOn,
    };
    planning.reviews.set(reviewId, stateAfter(reviewDecider, register));
    const on = { ...planning.context, occurredOn: ofPlan.day };
    planning.add(importWrite(reviewDecider, reviewStream(reviewId), register, on, reviewId), row.row, 'review');
    return reviewId;
  }

  /** The recommendation a row names: the review's with the same text, or one recorded by the plan, once. */
  private async planRecommendation(
    planning: Planning,
    row: PlanRow,
    day: string,
    reviewId: string,
    review: ReviewDocument | undefined,
  ): Promise<RecommendationState> {
    const recorded = review?.recommendations.find((item) => item.text.trim() === row.recommendation.trim());
    const recommendationId = recorded?.recommendationId ?? idFor('recommendation', `${reviewId}\u0000${row.recommendation.trim()}`);
    if (!planning.recommendations.has(recommendationId)) {
      if (recorded) planning.recommendations.set(recommendationId, this.reviews.recommendation(recommendationId));
      else {
        const record: RecordRecommendation = {
          type: 'RecordRecommendation',
          recommendationId,
          text: row.recommendation,
          themes: [],
          review: await planning.reviews.get(reviewId)!,
        };
        planning.recommendations.set(recommendationId, stateAfter(recommendationDecider, record));
        const on = { ...planning.context, occurredOn: day };
        planning.add(
          importWrite(recommendationDecider, recommendationStream(recommendationId), record, on, recommendationId),
          row.row,
          'recommendation',
        );
      }
    }
    return planning.recommendations.get(recommendationId)!;
  }

  /**
   * What the plan adds, as writes: reviews found by reference and recommendations by text are used,
   * not made again; actions already there are skipped. Each action is raised and assigned on the day
   * it was raised, then closed or withdrawn on the day it ended.
   */
  private async writesFor(plan: readonly PlanRow[], partnerList: readonly Partner[], context: WriteContext): Promise<PlanWrites> {
    const known = await this.reviewsByReference();
    const partners = new Map(partnerList.map((partner) => [partner.id, partner]));
    const reviewsOfPlan = reviewsIn(plan, dayInEngland(this.clock()));
    const planned: PlanWrites = { writes: [], origins: [], skipped: [], actions: [] };
    const add = (write: JointWrite, row: number, part: Part) => {
      planned.writes.push(write);
      planned.origins.push({ row, part });
    };
    const planning: Planning = { add, context, reviews: new Map(), recommendations: new Map() };
    const candidates: { row: PlanRow; id: string }[] = [];
    for await (const rows of inSlices(plan, PLANNED_BETWEEN_BREATHS))
      candidates.push(
        ...rows.map((row) => ({ row, id: idFor('action', reviewReferenceKey(row.reference), row.action.trim(), row.partner) })),
      );
    const existing = await this.existingActions(candidates.map((candidate) => candidate.id));
    for (const [index, { row, id }] of candidates.entries()) {
      if (index > 0 && index % PLANNED_BETWEEN_BREATHS === 0) await breathe();
      if (existing.has(id)) {
        planned.skipped.push({ row: row.row, reason: `Already imported: ${row.reference}, “${row.action}” for ${row.partner}` });
        continue;
      }
      const key = reviewReferenceKey(row.reference);
      const ofPlan = reviewsOfPlan.get(key)!;
      const review = known.get(key);
      const reviewId = this.planReview(planning, row, ofPlan, review);
      const recommendation = await this.planRecommendation(planning, row, ofPlan.day, reviewId, review);
      const raisedOn = row.raisedOn ?? ofPlan.day;
      const { reference: reviewReference, action, partner: partnerId, dueDate, status, closedOn } = row;
      planned.actions.push({ row: row.row, reviewReference, action, partnerId, raisedOn, dueDate, status, ...(closedOn && { closedOn }) });
      const actionWrites = this.actionWrites({ ...row, raisedOn }, id, recommendation, partners, context);
      actionWrites.forEach((write, index) => add(write, row.row, index === 0 ? 'raise' : 'end'));
    }
    return planned;
  }

  /** An action's history as its row tells it: raised and assigned on the day it was raised, then closed or withdrawn on the day it ended. */
  private actionWrites(
    row: PlanRow & { raisedOn: string },
    id: string,
    recommendation: RecommendationState,
    partners: ReadonlyMap<string, { id: string; name: string }>,
    context: WriteContext,
  ): JointWrite[] {
    const { actor } = context;
    const { raisedOn } = row;
    const raise: ActionCommand[] = [
      {
        type: 'RaiseAction',
        actor,
        actionId: id,
        description: row.action,
        themes: row.themes.length ? row.themes : undefined,
        recommendation,
      },
      {
        type: 'AssignAction',
        actor,
        today: raisedOn,
        partnerId: row.partner,
        partner: partners.get(row.partner),
        dueDate: row.dueDate,
        lead: row.lead,
        fromImport: true,
      },
    ];
    const streamId = actionStream(id);
    const writes = [importWrite(actionDecider, streamId, raise, { ...context, occurredOn: row.raisedOn }, id)];
    if (row.status === 'open') return writes;
    const today = row.closedOn ?? raisedOn;
    const when = row.closedOn ? ` on ${formatDate(row.closedOn)}` : '';
    const end: ActionCommand =
      row.status === 'closed'
        ? {
            type: 'CloseAction',
            actor,
            today,
            outcome: row.outcome!,
            rationale: `Closed${when} in the action plan imported.`,
            fromImport: true,
          }
        : { type: 'WithdrawAction', actor, today, reason: `Withdrawn${when} in the action plan imported.` };
    writes.push(importWrite(actionDecider, streamId, end, { ...context, occurredOn: row.closedOn }, id));
    return writes;
  }

  private async reviewsByReference(): Promise<Map<string, ReviewDocument>> {
    const { rows } = await this.pool.query<{ doc: ReviewDocument }>(`SELECT doc FROM ${reviewList.table}`);
    return new Map(rows.map((row) => [reviewReferenceKey(row.doc.reference), row.doc]));
  }

  private async existingActions(ids: string[]): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ key: string }>(`SELECT key FROM ${actionList.table} WHERE key = ANY($1::text[])`, [ids]);
    return new Set(rows.map((row) => row.key));
  }
}

/**
 * What the writes record: the reviews, recommendations and actions they create (none for those
 * another import made first). Without answers (some write was refused), what the writes would make.
 */
function createdBy(planned: PlanWrites, answers: readonly WriteAnswer[]): ImportCountsView {
  const created = { reviews: 0, recommendations: 0, actions: 0 };
  planned.origins.forEach(({ part }, index) => {
    const answer = answers[index];
    if (answer && (answer[RECORDED] ?? 0) === 0) return;
    if (part === 'review') created.reviews += 1;
    if (part === 'recommendation') created.recommendations += 1;
    if (part === 'raise') created.actions += 1;
  });
  return created;
}

function partnerLookup(partners: readonly Partner[]): PartnerLookup {
  const byKey = new Map(
    partners.flatMap((partner) => [
      [partner.id.toLowerCase(), partner.id],
      [partner.name.toLowerCase(), partner.id],
    ]),
  );
  return {
    find: (text) => byKey.get(text.trim().toLowerCase()),
    known: partners.map((partner) => `${partner.id} (${partner.name})`).join(', '),
  };
}

/** Every error once, a formula's cell told as a formula rather than also as missing, by row. */
function mergeErrors(errors: readonly PlanError[]): PlanError[] {
  const told = new Set<string>();
  return errors
    .filter((error) => {
      const key = `${error.row}\u0000${error.field}`;
      if (told.has(key)) return false;
      told.add(key);
      return true;
    })
    .sort((a, b) => a.row - b.row);
}
