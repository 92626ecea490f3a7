import {
  ActionEvent,
  ActionStatus,
  ClosureOutcome,
  EvidenceStatus,
  ExtensionStatus,
  ImpactResult,
  NotificationRule,
  Rag,
  RecommendationEvent,
  ReviewEvent,
  ReviewKind,
  Role,
  dayInEngland,
  dayInWords,
  isCalendarDate,
  daysBetween,
  inEngland,
} from '@app/domain';

/**
 * The one label of every code the pages show, so that a code never reaches a reader and each reads
 * the same everywhere. Typed by the domain's own lists: a new code without a label does not build.
 */
export const LABELS = {
  rag: { red: 'Red', amber: 'Amber', green: 'Green' } satisfies Record<Rag, string>,
  kind: {
    cspr: 'Child safeguarding practice review',
    'rapid-review': 'Rapid review',
    'national-review': 'National review',
    'local-learning-review': 'Local learning review',
    'multi-agency-audit': 'Multi-agency audit',
    inspection: 'Inspection',
    other: 'Other review',
  } satisfies Record<ReviewKind, string>,
  status: {
    raised: 'Not yet assigned',
    assigned: 'Assigned',
    evidenced: 'Awaiting assurance',
    closed: 'Closed',
    withdrawn: 'Withdrawn',
  } satisfies Record<ActionStatus, string>,
  /** An action's status as a plan to import gives it. */
  planStatus: { open: 'Open', closed: 'Closed', withdrawn: 'Withdrawn' },
  outcome: {
    'impact-evidenced': 'Impact on practice evidenced',
    completed: 'Completed',
    superseded: 'Superseded',
  } satisfies Record<ClosureOutcome, string>,
  evidence: { submitted: 'Awaiting a decision', accepted: 'Accepted', rejected: 'Rejected', withdrawn: 'Withdrawn' } satisfies Record<
    EvidenceStatus,
    string
  >,
  extension: { pending: 'Awaiting a decision', approved: 'Approved', refused: 'Refused' } satisfies Record<ExtensionStatus, string>,
  impact: {
    evidenced: 'Impact on practice evidenced',
    'not-evidenced': 'Impact on practice not evidenced',
  } satisfies Record<ImpactResult, string>,
  role: {
    admin: 'administrator',
    subgroup: 'review subgroup',
    partner: 'partner agency lead',
    chair: 'independent chair',
    auditor: 'auditor',
  } satisfies Record<Role, string>,
  /** What each mail is about, as the outbox lists it. */
  notificationRule: {
    assigned: 'Action assigned',
    'due-in-30-days': 'Due in 30 days',
    'due-in-7-days': 'Due in 7 days',
    overdue: 'Overdue',
    'evidence-decided': 'Evidence decided',
    'extension-decided': 'More time decided',
    'extension-requested': 'More time asked for',
    'overdue-30-days': 'Overdue 30 days',
    'weekly-digest': 'Weekly digest',
  } satisfies Record<NotificationRule, string>,
  notificationStatus: { pending: 'Waiting', sent: 'Sent', failed: 'Failed', cancelled: 'Cancelled' },
  overdue: { true: 'overdue', false: 'not overdue' },
  assurance: { awaiting: 'awaiting assurance', accepted: 'ready to close' },
  impactFilter: { due: 'impact check due', overdue: 'impact check overdue' },
  /** What each kind of change is called where changes are counted. */
  change: {
    ActionRaised: 'Raised',
    ActionAssigned: 'Assigned',
    ActionReassigned: 'Reassigned',
    ActionDueDateRevised: 'Due date revised',
    ActionProgressNoted: 'Progress noted',
    ExtensionRequested: 'More time asked for',
    ExtensionApproved: 'More time agreed',
    ExtensionRefused: 'More time refused',
    EvidenceSubmitted: 'Evidence submitted',
    EvidenceAccepted: 'Evidence accepted',
    EvidenceRejected: 'Evidence rejected',
    EvidenceWithdrawn: 'Evidence withdrawn',
    AssuranceRenewed: 'Re-assured',
    ActionClosed: 'Closed',
    ActionReopened: 'Reopened',
    ActionWithdrawn: 'Withdrawn',
    ImpactRecorded: 'Impact checked',
    ActionCorrected: 'Action corrected',
    ReviewRegistered: 'Review registered',
    ReviewCorrected: 'Review corrected',
    RecommendationRecorded: 'Recommendation recorded',
    RecommendationCorrected: 'Recommendation corrected',
  } satisfies Record<(ActionEvent | ReviewEvent | RecommendationEvent)['type'], string>,
} as const;

export type LabelSet = keyof typeof LABELS;

/** The label of `code` in `set`; the code itself only if the set has none (never for the domain's own codes). */
export const label = (code: unknown, set: LabelSet): string => (LABELS[set] as Record<string, string>)[String(code)] ?? String(code ?? '');

/** "28 November 2026": a calendar date as it is written, or the day in London of an instant. */
export function formatDate(value: string | undefined | null): string {
  if (!value) return '';
  if (isCalendarDate(value)) return dayInWords(value);
  const instant = new Date(value);
  // What someone typed that is no date at all is shown as they typed it, for them to correct.
  return Number.isNaN(instant.getTime()) ? value : dayInWords(dayInEngland(instant));
}

/** "9:05am", "12:30pm", "midnight", "midday": a time of day as GOV.UK writes it. */
function timeOfDay(hour: number, minute: number): string {
  if (minute === 0 && hour === 0) return 'midnight';
  if (minute === 0 && hour === 12) return 'midday';
  return `${hour % 12 || 12}:${String(minute).padStart(2, '0')}${hour < 12 ? 'am' : 'pm'}`;
}

/** "28 November 2026, 9:05am": an instant as a reader in England sees it, summer time included. */
export function formatDateTime(value: string | undefined | null): string {
  if (!value) return '';
  const { hour, minute } = inEngland(new Date(value));
  return `${formatDate(value)}, ${timeOfDay(hour, minute)}`;
}

/** "1 action", "3 actions": a count with its noun, `plural` when English does not just add an s. */
export const counted = (count: number, singular: string, plural = `${singular}s`): string => `${count} ${count === 1 ? singular : plural}`;

/** "2 years", "5 months", "1 day": about how long from one calendar date to another. */
export function spanBetween(from: string, to: string): string {
  const days = daysBetween(from, to);
  if (days >= 365) return counted(Math.round(days / 365.25), 'year');
  if (days >= 31) return counted(Math.round(days / 30.44), 'month');
  return counted(days + 1, 'day');
}

/** "Children’s Services’" rather than "Children’s Services's". */
export const possessive = (name: string): string => (/s$/i.test(name) ? `${name}’` : `${name}’s`);
