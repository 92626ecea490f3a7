import { ArgumentMetadata, Type } from '@nestjs/common';
import { DomainError } from '@app/domain';
import { FieldError, ValidationFailed } from '../http/problem';
import { toProblem } from '../http/problem.filter';
import { RequestValidationPipe } from '../http/validation';

const pipe = new RequestValidationPipe();
/** Fields the pages add to every form, which are not the command's. */
const FORM_ONLY = new Set(['_csrf', 'version', 'evidenceId', 'requestId']);

export type FormOutcome<T> = Readonly<{ ok: true; value: T }> | Readonly<{ ok: false; errors: FieldError[] }>;

/**
 * Checks a posted form against the same request class the JSON API uses, so a page shows exactly
 * the API's validation messages. Empty optional fields count as not given.
 */
export async function validateForm<T extends object>(type: Type<T>, form: Record<string, unknown>): Promise<FormOutcome<T>> {
  // Browsers send a text area's line breaks as CRLF; the API's text holds newlines alone.
  const fields = Object.fromEntries(
    Object.entries(form)
      .filter(([name, value]) => !FORM_ONLY.has(name) && value !== '')
      .map(([name, value]) => [name, typeof value === 'string' ? value.replaceAll('\r\n', '\n') : value]),
  );
  try {
    const metadata: ArgumentMetadata = { type: 'body', metatype: type };
    return { ok: true, value: (await pipe.transform(fields, metadata)) as T };
  } catch (error) {
    if (error instanceof ValidationFailed) return { ok: false, errors: error.errors };
    throw error;
  }
}

/** The stream version the form was made from, so that a change made meanwhile is refused rather than overwritten. */
export function formVersion(form: Record<string, unknown>): number | undefined {
  const version = Number(form.version);
  return Number.isInteger(version) && version > 0 ? version : undefined;
}

/**
 * A refusal the user can act on (a rule, who may do it, a conflict, a stale page) becomes a message
 * above the form, answered with the status the API gives it; anything else is not a refusal.
 */
export function refusal(error: unknown): Readonly<{ message: string; status: number }> | undefined {
  const { status, detail } = toProblem(error);
  if (status === 412)
    return { status, message: 'Someone else changed this action while you were looking at it. Check the page as it is now and try again.' };
  if (error instanceof DomainError) return { status, message: error.message };
  return status >= 400 && status < 500 ? { status, message: detail } : undefined;
}

/** GOV.UK error summary items, each linking to its field. */
export const errorList = (errors: readonly FieldError[], prefix = '') =>
  errors.map((error) => ({ text: `${labelOf(error.field)} ${error.message}`, href: `#${prefix}${error.field}` }));

export const fieldMessages = (errors: readonly FieldError[]) =>
  Object.fromEntries(errors.map((error) => [error.field, `${labelOf(error.field)} ${error.message}`]));

const LABELS: Record<string, string> = {
  partnerId: 'Partner',
  dueDate: 'Due date',
  lead: 'Lead',
  reason: 'Reason',
  summary: 'Summary',
  link: 'Link',
  note: 'Note',
  outcome: 'Outcome',
  rationale: 'Rationale',
  description: 'Description',
  successMeasure: 'Success measure',
  recommendationId: 'Recommendation',
  reference: 'Reference',
  title: 'Title',
  kind: 'Kind',
  themes: 'Themes',
  text: 'Recommendation',
};

const labelOf = (field: string) => LABELS[field] ?? field;
