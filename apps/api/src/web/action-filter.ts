import { ListActionsRequest } from '../actions/actions.request.dto';
import { FieldError } from '../http/problem';
import { asAtInstant } from './as-at';
import { validateForm } from './web-form';

export type ActionFilterRead = Readonly<{
  filter?: ListActionsRequest;
  errors: readonly FieldError[];
  /** The day asked for, and the instant it ends at when it is a past day. */
  asAt?: string;
  asOf?: string;
  asAtError?: string;
}>;

/**
 * A listing's filters from a page's address, checked by the API's own rules. An address typed, or
 * kept from an older version of the page, may carry parameters it no longer knows: they are ignored.
 */
export async function readActionFilter(query: Record<string, string>, now: Date): Promise<ActionFilterRead> {
  const { asAt, asOf, error: asAtError } = asAtInstant(query.asAt, now);
  const { asAt: _asAt, position: _position, ...filters } = query;
  const checked = await validateForm(ListActionsRequest, { ...filters, ...(asOf && { asOf }) }, { ignoreUnknown: true });
  return checked.ok ? { filter: checked.value, errors: [], asAt, asOf, asAtError } : { errors: checked.errors, asAt, asOf, asAtError };
}
