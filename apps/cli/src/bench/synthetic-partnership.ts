import { randomUUID } from 'node:crypto';
import { actionStream, addDays, recommendationStream, reviewStream } from '@app/domain';
import { NewEvent } from '@app/event-store';

export type SyntheticAppend = Readonly<{ streamId: string; expectedVersion: number; events: NewEvent[] }>;

const PARTNERS = ['county-council', 'integrated-care-board', 'police', 'education'];
const THEMES = [
  'neglect',
  'child exploitation',
  'children safe in education',
  'pre-birth assessment',
  'neurodiversity',
  'multi-agency chronologies',
];
/** What actions ask for, so that a search finds some of them and not all. */
const DESCRIPTIONS = [
  'Revise the procedure and audit its use',
  'Brief every response officer on exploitation language',
  'Add the chronology template to GP safeguarding records',
  'Train midwives to assess both parents before birth',
  'Escalate absence from school to the front door within a week',
  'Share strategy discussion outcomes with the school',
  'Audit twenty neglect cases for the graded care profile',
  'Publish a seven-minute briefing on the review',
];
const METADATA = { actor: { sub: 'synthetic', name: 'Synthetic load', roles: ['subgroup'] }, schemaVersion: 1 };

type OpenAction = { id: string; version: number; status: 'raised' | 'assigned' | 'evidenced'; evidence: string[]; accepted: boolean };

/** Days for the events to have happened on, as an import of history gives them: from `from`, spread evenly over `days` for `events` events. */
export type SyntheticDays = Readonly<{ from: string; days: number; events: number }>;

/**
 * A partnership's history made up at random but shaped like the real one: partners, reviews and
 * recommendations first, then actions raised, assigned, evidenced, assured, closed, reopened and
 * withdrawn, each append valid for its stream. Used to load the store for tests and benchmarks.
 */
export class SyntheticPartnership {
  private readonly open: OpenAction[] = [];
  private readonly recommendations: { id: string; reviewId: string; themes: string[] }[] = [];
  private made = 0;

  /** With `days`, each event says the day it happened (`occurredOn`), later ones on later days. */
  constructor(
    private readonly random: () => number = Math.random,
    private readonly days?: SyntheticDays,
  ) {}

  private event(type: string, data: object): NewEvent {
    const made = this.made++;
    const metadata = this.days
      ? {
          ...METADATA,
          occurredOn: addDays(this.days.from, Math.min(this.days.days, Math.floor((made * this.days.days) / this.days.events))),
        }
      : METADATA;
    return { eventId: randomUUID(), type, data, metadata };
  }

  /** The partners, reviews and recommendations the actions will answer. */
  setup(reviews = 8): SyntheticAppend[] {
    const appends: SyntheticAppend[] = [
      {
        streamId: 'partners',
        expectedVersion: 0,
        events: PARTNERS.map((partnerId) => this.event('PartnerRegistered', { partnerId, name: partnerId })),
      },
    ];
    for (let r = 0; r < reviews; r++) {
      const reviewId = randomUUID();
      const themes = [this.pick(THEMES), this.pick(THEMES)].filter((theme, index, all) => all.indexOf(theme) === index);
      appends.push({
        streamId: reviewStream(reviewId),
        expectedVersion: 0,
        events: [
          this.event('ReviewRegistered', {
            reviewId,
            reference: `R-${r + 1}`,
            title: `Review ${r + 1}`,
            kind: r < 2 ? 'cspr' : 'rapid-review',
            themes,
          }),
        ],
      });
      for (let m = 0; m < 3; m++) {
        const recommendationId = randomUUID();
        this.recommendations.push({ id: recommendationId, reviewId, themes });
        appends.push({
          streamId: recommendationStream(recommendationId),
          expectedVersion: 0,
          events: [this.event('RecommendationRecorded', { recommendationId, reviewId, text: `Recommendation ${m + 1}`, themes })],
        });
      }
    }
    return appends;
  }

  /** The next step of some action: a new one a third of the time, else a step of one still open. */
  next(): SyntheticAppend {
    if (this.open.length < 20 || this.random() < 0.3) return this.raise();
    const index = Math.floor(this.random() * this.open.length);
    const action = this.open[index];
    const { type, data } = this.step(action);
    const append = { streamId: actionStream(action.id), expectedVersion: action.version, events: [this.event(type, data)] };
    action.version += 1;
    if (type === 'ActionClosed' || type === 'ActionWithdrawn') this.open.splice(index, 1);
    return append;
  }

  private raise(): SyntheticAppend {
    const recommendation = this.pick(this.recommendations);
    const id = randomUUID();
    this.open.push({ id, version: 1, status: 'raised', evidence: [], accepted: false });
    return {
      streamId: actionStream(id),
      expectedVersion: 0,
      events: [
        this.event('ActionRaised', {
          actionId: id,
          recommendationId: recommendation.id,
          reviewId: recommendation.reviewId,
          description: this.pick(DESCRIPTIONS),
          themes: recommendation.themes,
        }),
      ],
    };
  }

  private step(action: OpenAction): { type: string; data: object } {
    const dueDate = `2026-${String(1 + Math.floor(this.random() * 12)).padStart(2, '0')}-15`;
    if (action.status === 'raised') {
      action.status = 'assigned';
      return { type: 'ActionAssigned', data: { partnerId: this.pick(PARTNERS), dueDate, lead: 'Head of Service' } };
    }
    const roll = this.random();
    if (action.status === 'assigned') {
      if (roll < 0.1) return { type: 'ActionWithdrawn', data: { reason: 'Superseded' } };
      if (roll < 0.25) return { type: 'ActionDueDateRevised', data: { dueDate, previousDueDate: '2026-01-15', reason: 'Capacity' } };
      if (roll < 0.4) return { type: 'ActionProgressNoted', data: { note: 'On track' } };
      const evidenceId = randomUUID();
      action.status = 'evidenced';
      action.evidence.push(evidenceId);
      return { type: 'EvidenceSubmitted', data: { evidenceId, summary: 'Audit of cases' } };
    }
    const latest = action.evidence[action.evidence.length - 1];
    if (action.accepted) return { type: 'ActionClosed', data: { outcome: 'impact-evidenced', rationale: 'Audit shows the change' } };
    if (roll < 0.3) {
      action.status = 'assigned';
      return { type: 'EvidenceRejected', data: { evidenceId: latest, reason: 'Activity, not impact' } };
    }
    action.accepted = true;
    return { type: 'EvidenceAccepted', data: { evidenceId: latest } };
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }
}
