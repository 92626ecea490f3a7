import { ListActionsRequest } from '../actions/actions.request.dto';
import { FieldError } from '../http/problem';
import { PageMoment, pageMoment } from './as-at';
import { validateForm } from './web-form';

export type ActionFilterRead = Readonly<{
  filter?: ListActionsRequest;
  errors: readonly FieldError[];
  /** The day the listing looks back to, if any. */
  at: PageMoment;
}>;

/**
 * A listing's filters from a page's address, checked by the API's own rules. An address typed, or
 * kept from an older version of the page, may carry parameters it no longer knows: they are ignored.
 */
export async function readActionFilter(query: Record<string, string>, now: Date): Promise<ActionFilterRead> {
  const at = pageMoment(query, now);
  const { asAt: _asAt, recordedBy: _recordedBy, position: _position, ...filters } = query;
  const checked = await validateForm(ListActionsRequest, { ...filters, ...at.moment }, { ignoreUnknown: true });
  return checked.ok ? { filter: checked.value, errors: [], at } : { errors: checked.errors, at };
}
