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
