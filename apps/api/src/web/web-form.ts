import { ArgumentMetadata, Type } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
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
export async function validateForm<T extends object>(
  type: Type<T>,
  form: Record<string, unknown>,
  { ignoreUnknown = false } = {},
): Promise<FormOutcome<T>> {
  const known = ignoreUnknown ? fieldsOf(type) : undefined;
  // Browsers send a text area's line breaks as CRLF; the API's text holds newlines alone.
  const fields = Object.fromEntries(
    Object.entries(form)
      .filter(([name, value]) => !FORM_ONLY.has(name) && value !== '' && (known === undefined || known.has(name)))
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

/** The fields a request class declares, by its validation rules. */
const fieldsOf = (type: Type<object>): Set<string> =>
  new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(type, '', true, false)
      .map((rule) => rule.propertyName),
  );

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

/** How the pages name each field, and what they ask for when it is left empty (the GOV.UK wording: "Enter a reference"). */
const FIELDS: Record<string, { label: string; missing: string }> = {
  partnerId: { label: 'Partner agency', missing: 'Select the partner agency' },
  dueDate: { label: 'Due date', missing: 'Enter a due date' },
  lead: { label: 'Lead', missing: 'Enter the lead' },
  reason: { label: 'Reason', missing: 'Enter a reason' },
  summary: { label: 'Summary', missing: 'Enter what shows the action was done' },
  link: { label: 'Link', missing: 'Enter a link' },
  note: { label: 'Note', missing: 'Enter a note' },
  outcome: { label: 'Outcome', missing: 'Select an outcome' },
  rationale: { label: 'Rationale', missing: 'Enter the rationale' },
  description: { label: 'Description', missing: 'Enter what will be done' },
  successMeasure: { label: 'How we will know it worked', missing: 'Enter how we will know it worked' },
  recommendationId: { label: 'Recommendation', missing: 'Select the recommendation' },
  reference: { label: 'Reference', missing: 'Enter a reference' },
  title: { label: 'Title', missing: 'Enter a title' },
  kind: { label: 'Kind of review', missing: 'Select the kind of review' },
  themes: { label: 'Themes', missing: 'Enter the themes' },
  text: { label: 'Recommendation', missing: 'Enter the recommendation' },
  result: { label: 'Impact', missing: 'Select whether the impact on practice is evidenced' },
  commissionedOn: { label: 'Date commissioned', missing: 'Enter the date it was commissioned' },
  publishedOn: { label: 'Date published', missing: 'Enter the date it was published' },
  asOf: { label: 'Date', missing: 'Enter a date' },
};

/** One message for a field, in the pages' words: what to do, not which rule failed. */
function pageMessage({ field, message }: FieldError): string {
  const { label, missing } = FIELDS[field] ?? { label: field, missing: `Enter ${field}` };
  if (message === 'is required' || message.startsWith('must be one of')) return missing;
  if (message.startsWith('must be a calendar date')) return `${label} must be a real date`;
  if (message === 'must be an http or https URL') return `${label} must start with http:// or https://`;
  return `${label} ${message}`;
}

/** GOV.UK error summary items, each linking to its field. */
export const errorList = (errors: readonly FieldError[], prefix = '') =>
  errors.map((error) => ({ text: pageMessage(error), href: `#${prefix}${error.field}` }));

export const fieldMessages = (errors: readonly FieldError[]) =>
  Object.fromEntries(errors.map((error) => [error.field, pageMessage(error)]));
