import { ActionEvent } from '@app/domain';
import { HistoryEntryView } from '../actions/action.view';
import { LABELS, formatDate } from './words';

/** What a sentence needs besides the event: partner agencies by name. */
type Words = Readonly<{ partner: (partnerId: string | undefined) => string }>;

type Sentences = {
  [Type in ActionEvent['type']]: (data: Extract<ActionEvent, { type: Type }>['data'], words: Words) => string;
};

const due = (date: string) => `due ${formatDate(date)}`;
const saying = (text: string | undefined) => (text ? `: ${text}` : '');

const CORRECTED_FIELDS = { description: 'the description', successMeasure: 'how we will know it worked' } as const;

/**
 * What each kind of event says on an action's timeline, with its details. Every event type has
 * one: a new type without a sentence does not build.
 */
const SENTENCES: Sentences = {
  ActionRaised: () => 'Raised the action',
  ActionAssigned: (d, w) => `Assigned it to ${w.partner(d.partnerId)}, ${due(d.dueDate)}${d.lead ? `, lead ${d.lead}` : ''}`,
  ActionReassigned: (d, w) =>
    `Reassigned it from ${w.partner(d.previousPartnerId)} to ${w.partner(d.partnerId)}, ${due(d.dueDate)}` +
    `${d.previousDueDate ? ` (was ${formatDate(d.previousDueDate)})` : ''}${saying(d.reason)}`,
  ActionDueDateRevised: (d) => `Revised the due date from ${formatDate(d.previousDueDate)} to ${formatDate(d.dueDate)}: ${d.reason}`,
  ActionProgressNoted: (d) => `Noted progress: ${d.note}`,
  EvidenceSubmitted: (d) => `Submitted evidence: ${d.summary}`,
  EvidenceAccepted: (d) => `Accepted the evidence${saying(d.note)}`,
  EvidenceRejected: (d) => `Rejected the evidence: ${d.reason}`,
  ActionClosed: (d) =>
    `Closed the action as “${LABELS.outcome[d.outcome]}”: ${d.rationale}` +
    `${d.impactReviewDue ? `. Impact check due ${formatDate(d.impactReviewDue)}` : ''}`,
  ActionReopened: (d) => `Reopened the action: ${d.reason}`,
  ActionWithdrawn: (d) => `Withdrew the action: ${d.reason}`,
  ExtensionRequested: (d) => `Asked for more time, to ${formatDate(d.dueDate)}: ${d.reason}`,
  ExtensionApproved: (d) => `Approved the extension: ${due(d.dueDate)} (was ${formatDate(d.previousDueDate)})${saying(d.note)}`,
  ExtensionRefused: (d) => `Refused the extension: ${d.reason}`,
  ImpactRecorded: (d) => `Recorded the impact check: ${LABELS.impact[d.result].toLowerCase()}: ${d.note}`,
  ActionCorrected: (d) =>
    `Corrected ${Object.entries(d.corrected)
      .map(([field, text]) => {
        const name = CORRECTED_FIELDS[field as keyof typeof CORRECTED_FIELDS];
        return `${name} from “${d.previous[field as keyof typeof d.previous] ?? ''}” to “${text}”`;
      })
      .join(' and ')}: ${d.reason}`,
};

/** One line of an action's timeline: what happened, who did it (and for which agency), when. */
export function describeEvent(entry: HistoryEntryView, partnerNames: Readonly<Record<string, string>>) {
  const actor = entry.actor as { name?: string; sub?: string; partner?: string };
  const words: Words = { partner: (id) => (id ? (partnerNames[id] ?? id) : 'no agency') };
  const sentence = SENTENCES[entry.type as ActionEvent['type']] as ((data: unknown, words: Words) => string) | undefined;
  return {
    what: sentence ? sentence(entry.data, words) : entry.type,
    who: actor.name ?? actor.sub ?? 'unknown',
    partner: actor.partner ? words.partner(actor.partner) : undefined,
    when: entry.recordedAt,
    position: entry.position,
    type: entry.type,
  };
}
