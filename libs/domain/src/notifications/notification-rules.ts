import { ActionEvent } from '../actions/action.events';
import { ActionStatus } from '../actions/action.state';
import { daysBetween, inEngland } from '../shared/calendar';

/**
 * When the partnership's mail goes, and to whom: the owning partner's team mailbox hears of its own
 * action's assignment, coming due date, overdue state and decisions; the subgroup's mailbox hears
 * of requests for more time, of what has been overdue a month, and has a weekly digest.
 */
export const NOTIFICATION_RULES = {
  assigned: 'owner',
  'due-in-30-days': 'owner',
  'due-in-7-days': 'owner',
  overdue: 'owner',
  'evidence-decided': 'owner',
  'extension-decided': 'owner',
  'extension-requested': 'subgroup',
  'overdue-30-days': 'subgroup',
  'weekly-digest': 'subgroup',
} as const satisfies Record<string, 'owner' | 'subgroup'>;

export type NotificationRule = keyof typeof NOTIFICATION_RULES;

/** What the notifications know of an action: who owns it, when it is due, and whose move it is. */
export type WatchedAction = Readonly<{
  actionId: string;
  reviewId: string;
  status: ActionStatus;
  partnerId?: string;
  dueDate?: string;
  /** Evidence submitted and not yet decided. */
  awaiting: number;
  /** Evidence accepted and not withdrawn; absent from what was kept before it was counted. */
  accepted?: number;
}>;

/**
 * A mail decided on. `occasion` makes it the mail it is: the same rule for the same action on the
 * same occasion (an event, or an owner and due date, or a week) is the same mail, sent once.
 * `facts` are what the mail may say besides the action's reference, owner and due date: dates,
 * decisions, counts and which actions, never free text (a reason or a note can hold personal data
 * about a child).
 */
export type Notice = Readonly<{
  rule: NotificationRule;
  occasion: string;
  actionId?: string;
  partnerId?: string;
  dueDate?: string;
  facts?: NoticeFacts;
}>;

export type NoticeFacts = Readonly<Record<string, string | readonly string[]>>;

/** What an event does to the notifications: the action as it now stands, the mail it causes, and whether it ends what was waiting. */
export type EventNotices = Readonly<{ action?: WatchedAction; notices: Notice[]; cancelsPending: boolean }>;

const ENDS_WHAT_WAITS: ReadonlySet<ActionEvent['type']> = new Set(['ActionReassigned', 'ActionClosed', 'ActionWithdrawn']);
/** Events that give an action an owner or a due date: a reminder whose mark has passed by then is due at once, not at the next sweep. */
const SETS_THE_DATE: ReadonlySet<ActionEvent['type']> = new Set([
  'ActionAssigned',
  'ActionReassigned',
  'ActionDueDateRevised',
  'ExtensionApproved',
  'ActionReopened',
]);

/**
 * The action after `event`, and the mail the event causes; `occasion` names the event
 * (its place in the log). A quiet event (a plan's history brought in by import) changes the action
 * but causes no mail: nobody is told today of what happened long ago. An event that sets the owner
 * or due date is followed by the reminders already due on `today` (within 7 or 30 days of it).
 */
export function noticesOn(
  action: WatchedAction | undefined,
  event: ActionEvent,
  { occasion, quiet, today }: Readonly<{ occasion: string; quiet: boolean; today: string }>,
): EventNotices {
  const decided = noticesOfEvent(action, event, { occasion, quiet });
  if (quiet || !decided.action || !SETS_THE_DATE.has(event.type)) return decided;
  return { ...decided, notices: [...decided.notices, ...remindersDue(decided.action, today)] };
}

function noticesOfEvent(
  action: WatchedAction | undefined,
  event: ActionEvent,
  { occasion, quiet }: Readonly<{ occasion: string; quiet: boolean }>,
): EventNotices {
  const next = watch(action, event);
  const cancelsPending = ENDS_WHAT_WAITS.has(event.type);
  if (!next || quiet) return { action: next, notices: [], cancelsPending };
  const about = { actionId: next.actionId, partnerId: next.partnerId, dueDate: next.dueDate, occasion };
  const notice = (rule: NotificationRule, facts?: Record<string, string>): Notice[] => [{ rule, ...about, ...(facts && { facts }) }];
  switch (event.type) {
    case 'ActionAssigned':
    case 'ActionReassigned':
      return { action: next, notices: notice('assigned'), cancelsPending };
    case 'EvidenceAccepted':
      return { action: next, notices: notice('evidence-decided', { decision: 'accepted' }), cancelsPending };
    case 'EvidenceRejected':
      return { action: next, notices: notice('evidence-decided', { decision: 'rejected' }), cancelsPending };
    case 'ExtensionRequested':
      return { action: next, notices: notice('extension-requested', { requestedDueDate: event.data.dueDate }), cancelsPending };
    case 'ExtensionApproved':
      return { action: next, notices: notice('extension-decided', { decision: 'approved' }), cancelsPending };
    case 'ExtensionRefused':
      return { action: next, notices: notice('extension-decided', { decision: 'refused' }), cancelsPending };
    default:
      return { action: next, notices: [], cancelsPending };
  }
}

/** Kept before accepted evidence was counted: an evidenced action with nothing waiting had some accepted. */
const acceptedOf = (action: WatchedAction): number => action.accepted ?? (action.status === 'evidenced' && action.awaiting === 0 ? 1 : 0);

/** Evidence taken back: an evidenced action left with nothing waiting or accepted is the owner's move again. */
function withdrawn(action: WatchedAction, was: 'submitted' | 'accepted'): WatchedAction {
  const awaiting = was === 'submitted' ? Math.max(0, action.awaiting - 1) : action.awaiting;
  const accepted = was === 'accepted' ? Math.max(0, acceptedOf(action) - 1) : acceptedOf(action);
  const status = action.status === 'evidenced' && awaiting === 0 && accepted === 0 ? 'assigned' : action.status;
  return { ...action, awaiting, accepted, status };
}

/** The events that only move an action to a status. */
const STATUS_AFTER: Partial<Record<ActionEvent['type'], ActionStatus>> = {
  ActionClosed: 'closed',
  ActionWithdrawn: 'withdrawn',
  ActionReopened: 'assigned',
};

function watch(action: WatchedAction | undefined, event: ActionEvent): WatchedAction | undefined {
  if (event.type === 'ActionRaised') {
    return { actionId: event.data.actionId, reviewId: event.data.reviewId, status: 'raised', awaiting: 0 };
  }
  if (!action) return undefined;
  switch (event.type) {
    case 'ActionAssigned':
    case 'ActionReassigned':
      return {
        ...action,
        status: action.status === 'raised' ? 'assigned' : action.status,
        partnerId: event.data.partnerId,
        dueDate: event.data.dueDate,
      };
    case 'ActionDueDateRevised':
    case 'ExtensionApproved':
      return { ...action, dueDate: event.data.dueDate };
    case 'EvidenceSubmitted':
      return { ...action, status: 'evidenced', awaiting: action.awaiting + 1 };
    case 'EvidenceAccepted':
      return { ...action, awaiting: Math.max(0, action.awaiting - 1), accepted: acceptedOf(action) + 1 };
    case 'EvidenceWithdrawn':
      return withdrawn(action, event.data.was);
    case 'EvidenceRejected': {
      const awaiting = Math.max(0, action.awaiting - 1);
      return { ...action, awaiting, status: awaiting === 0 && action.status === 'evidenced' ? 'assigned' : action.status };
    }
    default: {
      const status = STATUS_AFTER[event.type];
      return status ? { ...action, status } : action;
    }
  }
}

/**
 * The reminders and escalations an outstanding action is due on `today`. The owner is reminded
 * while the move is theirs (assigned, no evidence waiting): once within 30 days of the due date, once
 * within 7 (an action assigned closer to its date than that is reminded of at once), and each week
 * it is overdue from the day after the due date.
 * The subgroup hears once when it has been overdue 30 days, whoever's move it is.
 */
export function remindersDue(action: WatchedAction, today: string): Notice[] {
  const { actionId, partnerId, dueDate, status } = action;
  if (!partnerId || !dueDate || (status !== 'assigned' && status !== 'evidenced')) return [];
  const about = { actionId, partnerId, dueDate };
  const daysLeft = daysBetween(today, dueDate);
  const notices: Notice[] = [];
  const ownersMove = status === 'assigned';
  if (ownersMove && daysLeft > 7 && daysLeft <= 30) {
    notices.push({ rule: 'due-in-30-days', ...about, occasion: `${partnerId}:${dueDate}` });
  }
  if (ownersMove && daysLeft >= 0 && daysLeft <= 7) {
    notices.push({ rule: 'due-in-7-days', ...about, occasion: `${partnerId}:${dueDate}` });
  }
  if (ownersMove && daysLeft < 0) {
    const week = Math.floor((-daysLeft - 1) / 7);
    notices.push({
      rule: 'overdue',
      ...about,
      occasion: `${partnerId}:${dueDate}:week-${week + 1}`,
      facts: { daysOverdue: String(-daysLeft) },
    });
  }
  if (daysLeft <= -30) {
    notices.push({ rule: 'overdue-30-days', ...about, occasion: dueDate });
  }
  return notices;
}

/** The weekly digest goes from this hour on Monday, London time, until the day ends. */
const DIGEST_HOUR = 7;

/** The Monday (YYYY-MM-DD, London) whose digest is due at `now`, if `now` is Monday from 7am in London. */
export function digestDue(now: Date): string | undefined {
  const { weekday, hour, day } = inEngland(now);
  return weekday === 'Mon' && hour >= DIGEST_HOUR ? day : undefined;
}

/** Where each rule's mail of one occasion is known by: the same key is the same mail. */
export const noticeKey = (notice: Notice): string => [notice.rule, notice.actionId ?? '', notice.occasion].join(':');
