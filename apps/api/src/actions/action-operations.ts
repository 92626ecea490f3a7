import { Type } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Action, ActionChange, Actor, Permission, changesOpen, may } from '@app/domain';
import { WriteContext } from '../write/write-context';
import {
  AssignActionRequest,
  CloseActionRequest,
  CorrectActionRequest,
  DecisionNoteRequest,
  NoteProgressRequest,
  ReasonRequest,
  ReassureRequest,
  RecordImpactRequest,
  RequestExtensionRequest,
  ReviseDueDateRequest,
  SubmitEvidenceRequest,
} from './actions.request.dto';
import { AssignActionCommand } from './assign-action.handler';
import { ChangeActionCommand } from './change-action.handler';

/** What an operation acts on besides the action: the evidence or extension request it decides, for those that decide one. */
export type Target = Readonly<{ evidenceId?: string; requestId?: string }>;

type ActionOperation<Request extends object> = Readonly<{
  /** The domain's change it makes, which says when it can be made (`changesOpen`). */
  change: ActionChange['type'];
  /** The last segment of its path in the API, which names it in `can`. */
  path: string;
  permission: Permission;
  /** The request class that validates the operation's body, for the API and the pages alike. */
  request: Type<Request>;
  command: (actionId: string, request: Request, context: WriteContext, target: Target) => ChangeActionCommand | AssignActionCommand;
}>;

/** Typed by its request class, so that the command it builds is checked against that request's fields. */
const operation = <Request extends object>(definition: ActionOperation<Request>) => definition;

const evidenceOf = (target: Target): string => target.evidenceId ?? '';
const requestOf = (target: Target): string => target.requestId ?? '';

/**
 * Every change a client can make to an assigned or raised action, by the name the pages post it
 * under: who may make it, the request that carries it, and the domain command it becomes. The API's
 * routes and the pages' forms both go through here.
 */
export const ACTION_OPERATIONS = {
  assign: operation({
    change: 'AssignAction',
    path: 'assign',
    permission: 'assignAction',
    request: AssignActionRequest,
    command: (actionId, request, context) => new AssignActionCommand(actionId, request, context),
  }),
  'due-date': operation({
    change: 'ReviseDueDate',
    path: 'due-date',
    permission: 'reviseDueDate',
    request: ReviseDueDateRequest,
    command: (actionId, request, context) =>
      new ChangeActionCommand(actionId, { type: 'ReviseDueDate', actor: context.actor, ...request }, context),
  }),
  progress: operation({
    change: 'NoteProgress',
    path: 'progress',
    permission: 'noteProgress',
    request: NoteProgressRequest,
    command: (actionId, request, context) =>
      new ChangeActionCommand(actionId, { type: 'NoteProgress', actor: context.actor, ...request }, context),
  }),
  evidence: operation({
    change: 'SubmitEvidence',
    path: 'evidence',
    permission: 'submitEvidence',
    request: SubmitEvidenceRequest,
    command: (actionId, { id: evidenceId = randomUUID(), ...request }, context) =>
      new ChangeActionCommand(actionId, { type: 'SubmitEvidence', actor: context.actor, evidenceId, ...request }, context, {
        id: evidenceId,
        actionId,
      }),
  }),
  accept: operation({
    change: 'AcceptEvidence',
    path: 'accept',
    permission: 'acceptEvidence',
    request: DecisionNoteRequest,
    command: (actionId, request, context, target) =>
      new ChangeActionCommand(
        actionId,
        { type: 'AcceptEvidence', actor: context.actor, evidenceId: evidenceOf(target), ...request },
        context,
      ),
  }),
  reject: operation({
    change: 'RejectEvidence',
    path: 'reject',
    permission: 'rejectEvidence',
    request: ReasonRequest,
    command: (actionId, request, context, target) =>
      new ChangeActionCommand(
        actionId,
        { type: 'RejectEvidence', actor: context.actor, evidenceId: evidenceOf(target), ...request },
        context,
      ),
  }),
  'withdraw-evidence': operation({
    change: 'WithdrawEvidence',
    path: 'withdraw',
    permission: 'withdrawEvidence',
    request: ReasonRequest,
    command: (actionId, request, context, target) =>
      new ChangeActionCommand(
        actionId,
        { type: 'WithdrawEvidence', actor: context.actor, evidenceId: evidenceOf(target), ...request },
        context,
      ),
  }),
  reassure: operation({
    change: 'ReassureAction',
    path: 'reassure',
    permission: 'reassureAction',
    request: ReassureRequest,
    command: (actionId, request, context) =>
      new ChangeActionCommand(actionId, { type: 'ReassureAction', actor: context.actor, ...request }, context),
  }),
  extension: operation({
    change: 'RequestExtension',
    path: 'extension-requests',
    permission: 'requestExtension',
    request: RequestExtensionRequest,
    command: (actionId, { id: requestId = randomUUID(), ...request }, context) =>
      new ChangeActionCommand(actionId, { type: 'RequestExtension', actor: context.actor, requestId, ...request }, context, {
        id: requestId,
        actionId,
      }),
  }),
  'approve-extension': operation({
    change: 'ApproveExtension',
    path: 'approve',
    permission: 'decideExtension',
    request: DecisionNoteRequest,
    command: (actionId, request, context, target) =>
      new ChangeActionCommand(
        actionId,
        { type: 'ApproveExtension', actor: context.actor, requestId: requestOf(target), ...request },
        context,
      ),
  }),
  'refuse-extension': operation({
    change: 'RefuseExtension',
    path: 'refuse',
    permission: 'decideExtension',
    request: ReasonRequest,
    command: (actionId, request, context, target) =>
      new ChangeActionCommand(
        actionId,
        { type: 'RefuseExtension', actor: context.actor, requestId: requestOf(target), ...request },
        context,
      ),
  }),
  close: operation({
    change: 'CloseAction',
    path: 'close',
    permission: 'closeAction',
    request: CloseActionRequest,
    command: (actionId, request, context) =>
      new ChangeActionCommand(actionId, { type: 'CloseAction', actor: context.actor, ...request }, context),
  }),
  reopen: operation({
    change: 'ReopenAction',
    path: 'reopen',
    permission: 'reopenAction',
    request: ReasonRequest,
    command: (actionId, request, context) =>
      new ChangeActionCommand(actionId, { type: 'ReopenAction', actor: context.actor, ...request }, context),
  }),
  withdraw: operation({
    change: 'WithdrawAction',
    path: 'withdraw',
    permission: 'withdrawAction',
    request: ReasonRequest,
    command: (actionId, request, context) =>
      new ChangeActionCommand(actionId, { type: 'WithdrawAction', actor: context.actor, ...request }, context),
  }),
  impact: operation({
    change: 'RecordImpact',
    path: 'impact',
    permission: 'recordImpact',
    request: RecordImpactRequest,
    command: (actionId, request, context) =>
      new ChangeActionCommand(actionId, { type: 'RecordImpact', actor: context.actor, ...request }, context),
  }),
  correct: operation({
    change: 'CorrectAction',
    path: 'correct',
    permission: 'correctTexts',
    request: CorrectActionRequest,
    command: (actionId, request, context) =>
      new ChangeActionCommand(actionId, { type: 'CorrectAction', actor: context.actor, ...request }, context),
  }),
};

export type ActionOperationName = keyof typeof ACTION_OPERATIONS;

export const isActionOperation = (name: string): name is ActionOperationName => Object.hasOwn(ACTION_OPERATIONS, name);

/**
 * The command a request for the operation named at run time becomes (the pages post the name). The
 * request must have passed that operation's own request class, which is what makes the cast sound.
 */
export function commandFor(
  name: ActionOperationName,
  actionId: string,
  request: object,
  context: WriteContext,
  target: Target,
): ChangeActionCommand | AssignActionCommand {
  const { command } = ACTION_OPERATIONS[name] as ActionOperation<object>;
  return command(actionId, request, context, target);
}

/**
 * What `actor` can do now to the action as it stands on `today`: the operations their role is
 * permitted, of those the decider would accept. The API answers them as `can`; the pages offer
 * exactly these tasks.
 */
export function operationsOpen(actor: Actor, action: Action, today: string): ActionOperationName[] {
  const open = new Set(changesOpen(actor, action, today));
  return (Object.keys(ACTION_OPERATIONS) as ActionOperationName[]).filter(
    (name) => open.has(ACTION_OPERATIONS[name].change) && may(actor, ACTION_OPERATIONS[name].permission),
  );
}
