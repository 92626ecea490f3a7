import { Decider, DomainEvent, fold } from '../shared/decider';

/** given events, when a command: then these events, or this error code. */
export function specFor<State, Command, Event extends DomainEvent>(decider: Decider<State, Command, Event>) {
  return (given: Event[]) => ({
    when: (command: Command) => ({
      then: (expected: Event[]) => expect(decider.decide(command, fold(decider, given))).toEqual(expected),
      thenRefuses: (code: string, kind?: string) => {
        let caught: unknown;
        try {
          decider.decide(command, fold(decider, given));
        } catch (error) {
          caught = error;
        }
        expect(caught).toMatchObject({ code, ...(kind && { kind }) });
      },
    }),
  });
}
