export type DomainEvent<Type extends string = string, Data extends object = object> = Readonly<{
  type: Type;
  data: Data;
}>;

/**
 * A pure model of one aggregate: `decide` says which events a command produces (or throws a
 * DomainError), `evolve` folds events into state and never throws.
 */
export interface Decider<State, Command, Event extends DomainEvent> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

export function fold<State, Event extends DomainEvent>(
  decider: Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State {
  return events.reduce(decider.evolve, decider.initialState);
}

/** One handler for each member of a union tagged by `type`: the compiler holds the table complete, as it would a switch. */
export type ByType<Tagged extends Readonly<{ type: string }>, Args extends unknown[], Result> = {
  readonly [Type in Tagged['type']]: (item: Extract<Tagged, Readonly<{ type: Type }>>, ...args: Args) => Result;
};

/** The function that hands each item to its type's handler. */
export function byType<Tagged extends Readonly<{ type: string }>, Args extends unknown[], Result>(
  handlers: ByType<Tagged, Args, Result>,
): (item: Tagged, ...args: Args) => Result {
  // TypeScript cannot correlate the item's type with its handler's parameter: the table's type has.
  return (item, ...args) => (handlers[item.type as Tagged['type']] as (item: Tagged, ...args: Args) => Result)(item, ...args);
}
