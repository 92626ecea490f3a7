import { ActionEvent, RecommendationEvent, ReviewEvent, isCalendarDate, whyUnreadable } from '@app/domain';
import { LABELS, formatDate, label } from './words';

/** The events the partnership's work is told in: its reviews, their recommendations, and the actions. */
export type WorkEvent = ActionEvent | ReviewEvent | RecommendationEvent;

/** What a sentence needs besides the event: partner agencies by name. */
type Words = Readonly<{ partner: (partnerId: string | undefined) => string }>;

type Sentences = {
  [Type in WorkEvent['type']]: (data: Extract<WorkEvent, { type: Type }>['data'], words: Words) => string;
};

const due = (date: string) => `due ${formatDate(date)}`;
const saying = (text: string | undefined) => (text ? `: ${text}` : '');

const CORRECTED_FIELDS: Readonly<Record<string, string>> = {
  description: 'the description',
  successMeasure: 'how we will know it worked',
  reference: 'the reference',
  title: 'the title',
  kind: 'the kind of review',
  themes: 'the themes',
  commissionedOn: 'the date commissioned',
  publishedOn: 'the date published',
  text: 'the text',
};

/** A corrected field's value in words: “a date in words”, “a kind by its name”, or nothing where there was none. */
function shown(field: string, value: unknown): string {
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) return 'nothing';
  if (Array.isArray(value)) return `“${value.join(', ')}”`;
  if (field === 'kind') return `“${label(value, 'kind')}”`;
  return `“${isCalendarDate(value) ? formatDate(value) : String(value)}”`;
}

/** "Corrected the title from “a” to “b”: why". */
const corrected = (d: { corrected: object; previous: object; reason: string }) =>
  `Corrected ${Object.entries(d.corrected)
    .map(
      ([field, text]) =>
        `${CORRECTED_FIELDS[field] ?? field} from ${shown(field, (d.previous as Record<string, unknown>)[field])} to ${shown(field, text)}`,
    )
    .join(' and ')}: ${d.reason}`;

/**
 * What each kind of event says, on an action's timeline and in the changes since a date, with its
 * details. Every event type has one: a new type without a sentence does not build.
 */
const SENTENCES: Sentences = {
  ActionRaised: () => 'Raised the action',
  ActionAssigned: (d, w) => `Assigned it to ${w.partner(d.partnerId)}, ${due(d.dueDate)}${d.lead ? `, lead ${d.lead}` : ''}`,
  ActionReassigned: (d, w) =>
    `Reassigned it from ${w.partner(d.previousPartnerId)} to ${w.partner(d.partnerId)}, ${due(d.dueDate)}` +
    `${d.previousDueDate && d.previousDueDate !== d.dueDate ? ` (was ${formatDate(d.previousDueDate)})` : ''}` +
    `${d.lead ? `, lead ${d.lead}` : ''}${saying(d.reason)}`,
  ActionDueDateRevised: (d) => `Revised the due date from ${formatDate(d.previousDueDate)} to ${formatDate(d.dueDate)}: ${d.reason}`,
  ActionProgressNoted: (d) => `Noted progress: ${d.note}`,
  EvidenceSubmitted: (d) => `Submitted evidence: ${d.summary}`,
  EvidenceAccepted: (d) => `Accepted the evidence${saying(d.note)}`,
  EvidenceRejected: (d) => `Rejected the evidence: ${d.reason}`,
  EvidenceWithdrawn: (d) => `Withdrew the ${d.was === 'accepted' ? 'accepted ' : ''}evidence: ${d.reason}`,
  AssuranceRenewed: (d) => `Assured the action again after its evidence was withdrawn: ${d.note}`,
  ActionClosed: (d) =>
    `Closed the action as “${LABELS.outcome[d.outcome]}”: ${d.rationale}` +
    `${d.impactReviewDue ? `. Impact check due ${formatDate(d.impactReviewDue)}` : ''}`,
  ActionReopened: (d) => `Reopened the action: ${d.reason}`,
  ActionWithdrawn: (d) => `Withdrew the action: ${d.reason}`,
  ExtensionRequested: (d) => `Asked for more time, to ${formatDate(d.dueDate)}: ${d.reason}`,
  ExtensionApproved: (d) => `Approved the extension: ${due(d.dueDate)} (was ${formatDate(d.previousDueDate)})${saying(d.note)}`,
  ExtensionRefused: (d) => `Refused the extension: ${d.reason}`,
  ImpactRecorded: (d) => `Recorded the impact check: ${LABELS.impact[d.result].toLowerCase()}: ${d.note}`,
  ActionCorrected: corrected,
  ReviewRegistered: (d) => `Registered the review ${d.reference} (${LABELS.kind[d.kind]}): ${d.title}`,
  ReviewCorrected: corrected,
  RecommendationRecorded: (d) => `Recorded a recommendation: ${d.text}`,
  RecommendationCorrected: corrected,
};

/** What is said of an event that breaks its type's rules: it stays in the log, and no reader folds it. */
export const UNREADABLE = 'An entry this service cannot read: it is kept in the log and set aside (see the quarantine)';

/** An event as a history or a list of changes gives it. */
type Told = Readonly<{ type: string; data: object; actor: object; recordedAt: string; position: string; occurredOn?: string }>;

export const isWorkEvent = (type: string): type is WorkEvent['type'] => Object.hasOwn(SENTENCES, type);
export const WORK_EVENT_TYPES = Object.keys(SENTENCES) as readonly WorkEvent['type'][];

/** One line of an action's timeline: what happened, who did it (and for which agency), when. */
export function describeEvent(entry: Told, partnerNames: Readonly<Record<string, string>>) {
  const actor = entry.actor as { name?: string; sub?: string; partner?: string };
  const words: Words = { partner: (id) => (id ? (partnerNames[id] ?? id) : 'no agency') };
  const sentence = isWorkEvent(entry.type) ? (SENTENCES[entry.type] as (data: unknown, words: Words) => string) : undefined;
  const readable = whyUnreadable({ type: entry.type, data: entry.data, occurredOn: entry.occurredOn }) === undefined;
  return {
    what: !sentence ? entry.type : readable ? sentence(entry.data, words) : UNREADABLE,
    who: actor.name ?? actor.sub ?? 'unknown',
    partner: actor.partner ? words.partner(actor.partner) : undefined,
    when: entry.recordedAt,
    /** The day it happened, when an import recorded it later. */
    occurredOn: entry.occurredOn,
    position: entry.position,
    type: entry.type,
  };
}
