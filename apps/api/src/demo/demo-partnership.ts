import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Actor, ReviewKind, addDays, dayInEngland, daysBetween } from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { AssignActionCommand } from '../actions/assign-action.handler';
import { ChangeActionCommand } from '../actions/change-action.handler';
import { RaiseActionCommand } from '../actions/raise-action.handler';
import { CLOCK, Clock } from '../clock/clock';
import { ImportPlanCommand } from '../imports/import-plan.handler';
import { DATE_COLUMNS } from '../imports/action-plan';
import { ChangePartnersCommand } from '../partners/change-partners.handler';
import { RecordRecommendationCommand } from '../reviews/record-recommendation.handler';
import { RegisterReviewCommand } from '../reviews/register-review.handler';
import { WriteAnswer } from '../write/stream-writer';
import { DEMO_PARTNERS, DEMO_USERS } from './demo-users';
import { WEB_CONFIG } from '../auth/web-session';
import { WebConfig } from '../config/config';

/** Where each demonstration action ends up. */
type Fate = 'raised' | 'assigned' | 'overdue' | 'evidenced' | 'rejected' | 'closed' | 'withdrawn' | 'reopened';

type DemoReview = Readonly<{
  reference: string;
  title: string;
  kind: ReviewKind;
  themes: string[];
  recommendations: { text: string; actions: { description: string; partner: number; fate: Fate }[] }[];
}>;

/** Drawn from the partnership's annual report: two practice reviews, six rapid reviews, and their themes. */
const REVIEWS: DemoReview[] = [
  {
    reference: 'CSPR-2025-01',
    title: 'Child H: neglect and parental mental health',
    kind: 'cspr',
    themes: ['neglect', 'multi-agency chronologies'],
    recommendations: [
      {
        text: 'Partners should use a shared chronology when neglect is long-standing.',
        actions: [
          { description: 'Adopt the multi-agency chronology template in children’s social care', partner: 0, fate: 'closed' },
          { description: 'Add the chronology template to GP safeguarding records', partner: 1, fate: 'overdue' },
        ],
      },
      {
        text: 'Practitioners should ask "what has happened to you", not "what is wrong with you".',
        actions: [{ description: 'Trauma-informed practice training for front-line officers', partner: 2, fate: 'evidenced' }],
      },
    ],
  },
  {
    reference: 'CSPR-2025-02',
    title: 'Child J: criminal exploitation',
    kind: 'cspr',
    themes: ['exploitation'],
    recommendations: [
      {
        text: 'Avoid victim-blaming language in every report about young people.',
        actions: [
          { description: 'Audit 30 police reports for victim-blaming language', partner: 2, fate: 'rejected' },
          { description: 'Issue language guidance to designated safeguarding leads', partner: 3, fate: 'assigned' },
        ],
      },
    ],
  },
  {
    reference: 'RR-2025-03',
    title: 'Baby K: pre-birth assessment',
    kind: 'rapid-review',
    themes: ['pre-birth assessment'],
    recommendations: [
      {
        text: 'Pre-birth assessments should include fathers and partners.',
        actions: [
          { description: 'Revise the pre-birth assessment procedure to include both parents', partner: 0, fate: 'overdue' },
          { description: 'Midwifery to record the father’s details at booking', partner: 1, fate: 'closed' },
        ],
      },
    ],
  },
  {
    reference: 'RR-2025-04',
    title: 'Child L: attendance and safety at school',
    kind: 'rapid-review',
    themes: ['children safe in education'],
    recommendations: [
      {
        text: 'Schools should escalate persistent absence to the front door.',
        actions: [{ description: 'Absence escalation protocol for all schools', partner: 3, fate: 'overdue' }],
      },
    ],
  },
  {
    reference: 'RR-2025-05',
    title: 'Child M: autism and a placement breakdown',
    kind: 'rapid-review',
    themes: ['neurodiversity'],
    recommendations: [
      {
        text: 'Assessments should account for a child’s neurodiversity.',
        actions: [
          { description: 'Neurodiversity awareness in the assessment framework', partner: 0, fate: 'raised' },
          { description: 'Neurodevelopmental pathway waiting list reviewed for safeguarding risk', partner: 1, fate: 'reopened' },
        ],
      },
    ],
  },
  {
    reference: 'RR-2025-06',
    title: 'Child N: neglect and home conditions',
    kind: 'rapid-review',
    themes: ['neglect'],
    recommendations: [
      {
        text: 'Use the neglect screening tool at every home visit.',
        actions: [{ description: 'Neglect screening tool in health visiting', partner: 1, fate: 'assigned' }],
      },
    ],
  },
  {
    reference: 'RR-2025-07',
    title: 'Child P: online exploitation',
    kind: 'rapid-review',
    themes: ['exploitation', 'children safe in education'],
    recommendations: [
      {
        text: 'Online harms should be part of every school’s safeguarding curriculum.',
        actions: [
          { description: 'Online safety sessions in every secondary school', partner: 3, fate: 'evidenced' },
          { description: 'Joint police and schools briefing on sextortion', partner: 2, fate: 'withdrawn' },
        ],
      },
    ],
  },
  {
    reference: 'RR-2025-08',
    title: 'Baby Q: information sharing before birth',
    kind: 'rapid-review',
    themes: ['pre-birth assessment', 'multi-agency chronologies'],
    recommendations: [
      {
        text: 'Share concerns before birth across agencies.',
        actions: [{ description: 'Pre-birth information-sharing agreement signed by all partners', partner: 0, fate: 'assigned' }],
      },
    ],
  },
];

const LOADER: Actor = { userId: 'demo-loader', name: 'Demonstration data', roles: ['admin'] };

/** The partnership's last two years, as the plan it kept would give them: imported first, so the trends and reports have a past. */
const HISTORY = [__dirname, join(process.cwd(), 'apps/api/src/demo')]
  .map((dir) => join(dir, 'partnership-history.csv'))
  .find((path) => existsSync(path))!;
/** The day the history's dates were written for: they move with today, so the past stays the last two years. */
const HISTORY_WRITTEN_ON = '2026-12-06';

/** The history with every date moved on by the days since it was written. */
export function historyAsOf(csv: string, today: string): string {
  const shift = daysBetween(HISTORY_WRITTEN_ON, today);
  const [header, ...rows] = parse(csv) as string[][];
  const dated = header.map((name) => (DATE_COLUMNS as readonly string[]).includes(name));
  const moved = rows.map((row) =>
    row.map((cell, index) => {
      if (!dated[index] || !cell) return cell;
      const [day, month, year] = cell.split('/').map(Number);
      const date = new Date(Date.UTC(year, month - 1, day + shift));
      return `${date.getUTCDate()}/${date.getUTCMonth() + 1}/${date.getUTCFullYear()}`;
    }),
  );
  return stringify([header, ...moved]);
}

function leadOf(partnerId: string): Actor {
  const { userId, name, roles } = DEMO_USERS.find((user) => user.partnerId === partnerId)!;
  return { userId, name, roles, partnerId };
}

/** Loads a demonstration partnership into an empty store at start, when the configuration says so. */
@Injectable()
export class DemoPartnership implements OnApplicationBootstrap {
  private readonly logger = new Logger('demo');
  private loaded!: () => void;
  /** Settles once the demonstration is loaded, or once it is clear none will be: what happens before it is not news. */
  readonly settled = new Promise<void>((resolve) => (this.loaded = resolve));

  constructor(
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(WEB_CONFIG) private readonly config: WebConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.loadIfEmpty();
    } finally {
      this.loaded();
    }
  }

  private async loadIfEmpty(): Promise<void> {
    const { load, because } = this.config.demo;
    if (!load) {
      this.logger.log(`no demonstration data: ${because}`);
      return;
    }
    if ((await this.store.headPosition()) > 0n) return;
    try {
      await this.load();
      this.logger.log(`loaded the demonstration partnership: ${because}`);
    } catch (error) {
      // Another instance loading at the same moment wins the race; this one leaves it.
      this.logger.warn({ err: error }, 'did not load the demonstration partnership');
    }
  }

  private async load(): Promise<void> {
    const context = () => ({ actor: LOADER, correlationId: randomUUID() });
    const today = dayInEngland(this.clock());
    const day = (offset: number) => addDays(today, offset);
    const run = (command: object): Promise<WriteAnswer> => this.commands.execute(command as never);
    for (const partner of DEMO_PARTNERS)
      await run(new ChangePartnersCommand({ type: 'RegisterPartner', partnerId: partner.id, name: partner.name }, context()));
    const history = Buffer.from(historyAsOf(await readFile(HISTORY, 'utf8'), today));
    await this.commands.execute(new ImportPlanCommand(history, 'text/csv', false, context()));
    let n = 0;
    for (const review of REVIEWS) {
      const { recommendations, ...details } = review;
      const { id: reviewId } = await run(new RegisterReviewCommand(details, context()));
      for (const recommendation of recommendations) {
        const { id: recommendationId } = await run(new RecordRecommendationCommand(reviewId, { text: recommendation.text }, context()));
        for (const { description, partner, fate } of recommendation.actions) {
          n += 1;
          const { id } = await run(new RaiseActionCommand({ recommendationId, description }, context()));
          if (fate === 'raised') continue;
          const dueDate = fate === 'overdue' ? day(-14 - n * 3) : day(30 + n * 5);
          // Carried in as an existing plan is imported: some of its due dates have already passed.
          const assignment = { partnerId: DEMO_PARTNERS[partner].id, dueDate, lead: 'Head of Service' };
          await run(new AssignActionCommand(id, assignment, context(), true));
          const change = (type: string, data: object = {}, actor: Actor = LOADER) =>
            run(
              new ChangeActionCommand(id, { type, actor, ...data } as ChangeActionCommand['change'], {
                actor,
                correlationId: randomUUID(),
              }),
            );
          if (fate === 'assigned' || fate === 'overdue') continue;
          if (fate === 'withdrawn') {
            await change('WithdrawAction', { reason: 'Superseded by the national review’s recommendations' });
            continue;
          }
          const evidenceId = randomUUID();
          // The owning agency's lead sends the evidence; the partnership decides it: nobody assures their own work.
          await change('SubmitEvidence', { evidenceId, summary: 'Audit of 20 cases since the change' }, leadOf(DEMO_PARTNERS[partner].id));
          if (fate === 'evidenced') continue;
          if (fate === 'rejected') {
            await change('RejectEvidence', { evidenceId, reason: 'Shows activity, not impact on practice' });
            continue;
          }
          await change('AcceptEvidence', { evidenceId });
          await change('CloseAction', { outcome: 'impact-evidenced', rationale: 'The audit shows the change in practice' });
          if (fate === 'reopened') await change('ReopenAction', { reason: 'A new case shows the change did not hold' });
        }
      }
    }
  }
}
