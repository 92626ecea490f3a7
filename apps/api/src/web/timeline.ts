import { HistoryEntryView } from '../actions/action.view';

type Data = Record<string, unknown>;

const SENTENCES: Record<string, (data: Data) => string> = {
  ActionRaised: () => 'Raised the action',
  ActionAssigned: (d) => `Assigned it to ${d.partnerId}, due ${d.dueDate}${d.lead ? `, lead ${d.lead}` : ''}`,
  ActionReassigned: (d) =>
    `Reassigned it from ${d.previousPartnerId} to ${d.partnerId}, due ${d.dueDate}${d.previousDueDate ? ` (was ${d.previousDueDate})` : ''}${d.reason ? `: ${d.reason}` : ''}`,
  ActionDueDateRevised: (d) => `Revised the due date from ${d.previousDueDate} to ${d.dueDate}: ${d.reason}`,
  ActionProgressNoted: (d) => `Noted progress: ${d.note}`,
  EvidenceSubmitted: (d) => `Submitted evidence: ${d.summary}`,
  EvidenceAccepted: (d) => `Accepted the evidence${d.note ? `: ${d.note}` : ''}`,
  EvidenceRejected: (d) => `Rejected the evidence: ${d.reason}`,
  ActionClosed: (d) =>
    `Closed the action (${d.outcome}): ${d.rationale}${d.impactReviewDue ? `. Impact check due ${d.impactReviewDue}` : ''}`,
  ActionReopened: (d) => `Reopened the action: ${d.reason}`,
  ActionWithdrawn: (d) => `Withdrew the action: ${d.reason}`,
  ExtensionRequested: (d) => `Asked for more time, to ${d.dueDate}: ${d.reason}`,
  ExtensionApproved: (d) => `Approved the extension: due ${d.dueDate} (was ${d.previousDueDate})${d.note ? `: ${d.note}` : ''}`,
  ExtensionRefused: (d) => `Refused the extension: ${d.reason}`,
  ImpactRecorded: (d) => `Recorded that impact on practice was ${d.result === 'evidenced' ? '' : 'not '}evidenced: ${d.note}`,
  ActionCorrected: (d) => `Corrected ${corrections(d)}: ${d.reason}`,
};

/** What a correction changed, from what to what. */
function corrections(data: Data): string {
  const previous = (data.previous ?? {}) as Data;
  return Object.entries((data.corrected ?? {}) as Data)
    .map(([field, value]) => `${FIELD_NAMES[field] ?? field} from “${String(previous[field] ?? '')}” to “${String(value)}”`)
    .join(' and ');
}

const FIELD_NAMES: Record<string, string> = { description: 'the description', successMeasure: 'the success measure' };

/** One line of an action's timeline: what happened, who did it, when. */
export function describeEvent(entry: HistoryEntryView) {
  const actor = entry.actor as { name?: string; sub?: string; partner?: string };
  const sentence = SENTENCES[entry.type]?.(entry.data as Data) ?? entry.type;
  return {
    what: sentence,
    who: actor.name ?? actor.sub ?? 'unknown',
    partner: actor.partner,
    when: entry.recordedAt,
    position: entry.position,
    type: entry.type,
  };
}
