import { Type } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Permission } from '@app/domain';
import { WriteContext } from '../write/write-context';
import {
  AssignActionRequest,
  CloseActionRequest,
  CorrectActionRequest,
  DecisionNoteRequest,
  NoteProgressRequest,
  ReasonRequest,
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
    permission: 'assignAction',
    request: AssignActionRequest,
    command: (actionId, request, context) => new AssignActionCommand(actionId, request, context),
  }),
  'due-date': operation({
    permission: 'reviseDueDate',
    request: ReviseDueDateRequest,
    command: (actionId, request, context) =>
      new ChangeActionCommand(actionId, { type: 'ReviseDueDate', actor: context.actor, ...request }, context),
  }),
  progress: operation({
    permission: 'noteProgress',
    request: NoteProgressRequest,
    command: (actionId, request, context) =>
      new ChangeActionCommand(actionId, { type: 'NoteProgress', actor: context.actor, ...request }, context),
  }),
  evidence: operation({
    permission: 'submitEvidence',
    request: SubmitEvidenceRequest,
    command: (actionId, { id: evidenceId = randomUUID(), ...request }, context) =>
      new ChangeActionCommand(actionId, { type: 'SubmitEvidence', actor: context.actor, evidenceId, ...request }, context, {
        id: evidenceId,
        actionId,
      }),
  }),
  accept: operation({
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
    permission: 'rejectEvidence',
    request: ReasonRequest,
    command: (actionId, request, context, target) =>
      new ChangeActionCommand(
        actionId,
        { type: 'RejectEvidence', actor: context.actor, evidenceId: evidenceOf(target), ...request },
        context,
      ),
  }),
  extension: operation({
    permission: 'requestExtension',
    request: RequestExtensionRequest,
    command: (actionId, { id: requestId = randomUUID(), ...request }, context) =>
      new ChangeActionCommand(actionId, { type: 'RequestExtension', actor: context.actor, requestId, ...request }, context, {
        id: requestId,
        actionId,
      }),
  }),
  'approve-extension': operation({
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
    permission: 'closeAction',
    request: CloseActionRequest,
    command: (actionId, request, context) =>
      new ChangeActionCommand(actionId, { type: 'CloseAction', actor: context.actor, ...request }, context),
  }),
  reopen: operation({
    permission: 'reopenAction',
    request: ReasonRequest,
    command: (actionId, request, context) =>
      new ChangeActionCommand(actionId, { type: 'ReopenAction', actor: context.actor, ...request }, context),
  }),
  withdraw: operation({
    permission: 'withdrawAction',
    request: ReasonRequest,
    command: (actionId, request, context) =>
      new ChangeActionCommand(actionId, { type: 'WithdrawAction', actor: context.actor, ...request }, context),
  }),
  impact: operation({
    permission: 'recordImpact',
    request: RecordImpactRequest,
    command: (actionId, request, context) =>
      new ChangeActionCommand(actionId, { type: 'RecordImpact', actor: context.actor, ...request }, context),
  }),
  correct: operation({
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
