import { Inject } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import { AssignAction, Partner, RaiseAction, RecommendationState, StateConflict, actionDecider, actionStream } from '@app/domain';
import { ReviewDocument, actionList, reviewList } from '@app/read-models';
import { ChangeActionCommand } from '../actions/change-action.handler';
import { CLOCK, Clock, utcDate } from '../clock/clock';
import { DATABASE_POOL } from '../database/database-pool';
import { PartnerDirectory } from '../partners/partner-directory';
import { RecordRecommendationCommand } from '../reviews/record-recommendation.handler';
import { RegisterReviewCommand } from '../reviews/register-review.handler';
import { formatDate } from '../words/words';
import { RECORDED, StreamWriter, WriteAnswer } from '../write/stream-writer';
import { ReviewReader } from '../reviews/review-reader';
import { WriteContext } from '../write/write-context';
import { MAX_ROWS, PartnerLookup, PlanRow, UnreadablePlan, checkPlan, readSpreadsheet } from './action-plan';

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
}

export class ImportedView {
  @ApiProperty({ description: 'The import: the same file always has the same id' }) id!: string;
  @ApiProperty({ type: ImportCountsView }) created!: ImportCountsView;
  @ApiProperty({ type: [SkippedRowView] }) skipped!: SkippedRowView[];
  @ApiProperty({ description: 'For ?position= on reads' }) position!: string;
}

/** The file's rows had errors: nothing was written. */
export class PlanRefused extends Error {
  constructor(readonly check: ImportCheckView) {
    super(`${check.errors.length} problem${check.errors.length === 1 ? '' : 's'} in the file: nothing was imported.`);
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

const referenceKey = (reference: string) => reference.trim().toLowerCase();

/** The rows turned into what will be written, each review, recommendation and action once, with the ids they have or will have. */
type Writes = {
  reviews: Map<string, { id: string; row: PlanRow; themes: string[] }>;
  recommendations: Map<string, { id: string; reviewId: string; row: PlanRow }>;
  actions: { id: string; recommendationId: string; row: PlanRow }[];
  skipped: SkippedRowView[];
};

type Facts = Readonly<{ partner: (id: string) => Partner | undefined; recommendation: (id: string) => Promise<RecommendationState> }>;

/** How many actions are written at once: the store commits concurrent appends together. */
const IN_FLIGHT = 16;

@CommandHandler(ImportPlanCommand)
export class ImportPlanHandler implements ICommandHandler<ImportPlanCommand> {
  constructor(
    private readonly commands: CommandBus,
    private readonly writer: StreamWriter,
    private readonly partners: PartnerDirectory,
    private readonly reviews: ReviewReader,
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ file, mediaType, dryRun, context }: ImportPlanCommand): Promise<ImportCheckView | ImportedView> {
    const { rows, errors: cellErrors } = await readSpreadsheet(file, mediaType);
    if (rows.length - 1 > MAX_ROWS)
      throw new UnreadablePlan(`The file has ${rows.length - 1} rows: an import takes at most ${MAX_ROWS}.`, 413);
    const header = rows[0]?.cells ?? [];
    const named = cellErrors.map((error) => ({ ...error, field: String(header[Number(error.field) - 1] ?? error.field).toLowerCase() }));
    const { plan, errors } = checkPlan(rows, await this.partnerLookup());
    // A formula's cell is left out of the row: it is reported as a formula, not also as missing.
    const told = new Set(named.map((error) => `${error.row}\u0000${error.field}`));
    const allErrors = [...named, ...errors.filter((error) => !told.has(`${error.row}\u0000${error.field}`))].sort((a, b) => a.row - b.row);
    const writes = await this.writesFor(plan);
    const check: ImportCheckView = {
      rows: Math.max(0, rows.length - 1),
      valid: allErrors.length === 0,
      errors: allErrors,
      wouldCreate: { reviews: writes.reviews.size, recommendations: writes.recommendations.size, actions: writes.actions.length },
      skipped: writes.skipped,
    };
    if (dryRun) return check;
    if (!check.valid) throw new PlanRefused(check);
    return this.write(writes, context, idFor('import', createHash('sha256').update(file).digest('hex')));
  }

  /** What raising and assigning the actions need to know, read once for the whole import. */
  private async facts(): Promise<Facts> {
    const partners = new Map((await this.partners.all()).map((partner) => [partner.id, partner]));
    const recommendations = new Map<string, Promise<RecommendationState>>();
    return {
      partner: (id) => partners.get(id),
      recommendation: (id) =>
        recommendations.get(id) ?? (recommendations.set(id, this.reviews.recommendation(id)), recommendations.get(id)!),
    };
  }

  private async partnerLookup(): Promise<PartnerLookup> {
    const partners = await this.partners.all();
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

  /** What the plan adds: reviews found by reference and recommendations by text are used, not made again; actions already there are skipped. */
  private async writesFor(plan: readonly PlanRow[]): Promise<Writes> {
    const known = await this.reviewsByReference();
    const writes: Writes = { reviews: new Map(), recommendations: new Map(), actions: [], skipped: [] };
    const candidates = plan.map((row) => ({ row, id: idFor('action', referenceKey(row.reference), row.action.trim(), row.partner) }));
    const existing = await this.existingActions(candidates.map((candidate) => candidate.id));
    for (const { row, id } of candidates) {
      if (existing.has(id)) {
        writes.skipped.push({ row: row.row, reason: `Already imported: ${row.reference}, “${row.action}” for ${row.partner}` });
        continue;
      }
      const key = referenceKey(row.reference);
      const review = known.get(key);
      const reviewId = review?.reviewId ?? writes.reviews.get(key)?.id ?? idFor('review', key);
      if (!review && !writes.reviews.has(key)) writes.reviews.set(key, { id: reviewId, row, themes: row.themes });
      const recommendationKey = `${reviewId}\u0000${row.recommendation.trim()}`;
      const recorded = review?.recommendations.find((item) => item.text.trim() === row.recommendation.trim());
      const recommendationId =
        recorded?.recommendationId ?? writes.recommendations.get(recommendationKey)?.id ?? idFor('recommendation', recommendationKey);
      if (!recorded && !writes.recommendations.has(recommendationKey))
        writes.recommendations.set(recommendationKey, { id: recommendationId, reviewId, row });
      writes.actions.push({ id, recommendationId, row });
    }
    return writes;
  }

  private async reviewsByReference(): Promise<Map<string, ReviewDocument>> {
    const { rows } = await this.pool.query<{ doc: ReviewDocument }>(`SELECT doc FROM ${reviewList.table}`);
    return new Map(rows.map((row) => [referenceKey(row.doc.reference), row.doc]));
  }

  private async existingActions(ids: string[]): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ key: string }>(`SELECT key FROM ${actionList.table} WHERE key = ANY($1::text[])`, [ids]);
    return new Set(rows.map((row) => row.key));
  }

  /**
   * Writes the plan: reviews, then recommendations, then each action's history, every event dated the
   * day the row says it happened. A review, recommendation or action another import made meanwhile
   * (the same ids) is not made twice: its write is refused, and counted as not created.
   */
  private async write(writes: Writes, context: WriteContext, id: string): Promise<ImportedView> {
    const created = { reviews: 0, recommendations: 0, actions: 0 };
    let position = 0n;
    const record = async (write: () => Promise<WriteAnswer>): Promise<boolean> => {
      try {
        const answer = await write();
        if (BigInt(answer.position) > position) position = BigInt(answer.position);
        // A create the stream already holds (another import of the same rows) records nothing.
        return (answer[RECORDED] ?? 1) > 0;
      } catch (error) {
        if (error instanceof StateConflict && error.code.endsWith('-exists')) return false;
        throw error;
      }
    };
    for (const { id: reviewId, row, themes } of writes.reviews.values()) {
      const request = { id: reviewId, reference: row.reference, title: row.title ?? row.reference, kind: row.kind ?? 'other', themes };
      if (await record(() => this.commands.execute(new RegisterReviewCommand(request, context)))) created.reviews += 1;
    }
    for (const { id: recommendationId, reviewId, row } of writes.recommendations.values()) {
      const request = { id: recommendationId, text: row.recommendation, themes: [] };
      if (await record(() => this.commands.execute(new RecordRecommendationCommand(reviewId, request, context))))
        created.recommendations += 1;
    }
    const facts = await this.facts();
    const queue = [...writes.actions];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift())
        if (await this.writeAction(next, context, record, facts)) created.actions += 1;
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    return { id, created, skipped: writes.skipped, position: position.toString() };
  }

  /**
   * One action's history as the row tells it: raised and assigned in one write (on the day it was
   * raised), then closed or withdrawn (on the day it ended).
   */
  private async writeAction(
    { id, recommendationId, row }: Writes['actions'][number],
    context: WriteContext,
    record: (write: () => Promise<WriteAnswer>) => Promise<boolean>,
    facts: Facts,
  ): Promise<boolean> {
    const on = (day: string | undefined): WriteContext => ({ ...context, occurredOn: day });
    const raise: RaiseAction = {
      type: 'RaiseAction',
      actor: context.actor,
      actionId: id,
      description: row.action,
      themes: row.themes.length ? row.themes : undefined,
      recommendation: await facts.recommendation(recommendationId),
    };
    const assign: AssignAction = {
      type: 'AssignAction',
      actor: context.actor,
      today: row.raisedOn ?? utcDate(this.clock()),
      partnerId: row.partner,
      partner: facts.partner(row.partner),
      dueDate: row.dueDate,
      lead: row.lead,
      fromImport: true,
    };
    const raised = await record(() =>
      this.writer.execute({
        decider: actionDecider,
        streamId: actionStream(id),
        command: [raise, assign],
        context: on(row.raisedOn),
        answer: { id },
      }),
    );
    if (!raised) return false;
    const ended = on(row.closedOn);
    const when = row.closedOn ? ` on ${formatDate(row.closedOn)}` : '';
    if (row.status === 'closed') {
      await record(() =>
        this.commands.execute(
          new ChangeActionCommand(
            id,
            {
              type: 'CloseAction',
              actor: context.actor,
              outcome: row.outcome!,
              rationale: `Closed${when} in the action plan imported.`,
              fromImport: true,
            },
            ended,
          ),
        ),
      );
    }
    if (row.status === 'withdrawn') {
      await record(() =>
        this.commands.execute(
          new ChangeActionCommand(
            id,
            { type: 'WithdrawAction', actor: context.actor, reason: `Withdrawn${when} in the action plan imported.` },
            ended,
          ),
        ),
      );
    }
    return true;
  }
}
