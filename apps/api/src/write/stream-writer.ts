import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Decider, DomainEvent, fold } from '@app/domain';
import {
  EVENT_STORE,
  EventStore,
  IdempotencyKeyTaken,
  IdempotencyRecord,
  JsonObject,
  RecordedEvent,
  StreamRead,
  WrongExpectedVersion,
} from '@app/event-store';
import { IdempotencyKeyReused, PreconditionFailed, TooMuchContention } from './write.errors';
import { WriteContext } from './write-context';

/** What a write answers: the id of what it created or changed, and where the stream and the log now stand. */
/** How many events a write recorded: none when the stream already said it (a repeated create). Not sent to clients. */
export const RECORDED = Symbol('recorded');

export type WriteAnswer = Readonly<
  { id: string; version: number; position: string; [RECORDED]?: number } & Record<string, string | number>
>;
export type AnswerIds = Readonly<{ id: string } & Record<string, string>>;

export type StreamWrite<State, Command, Event extends DomainEvent> = Readonly<{
  decider: Decider<State, Command, Event>;
  streamId: string;
  /** Several commands are decided in turn, each on the state the one before left, and appended together. */
  command: Command | readonly Command[];
  context: WriteContext;
  answer: AnswerIds;
  /** The stream's id was made for this write: nothing can be in it yet, so it is not read first. */
  newStream?: boolean;
}>;

export const SCHEMA_VERSION = 1;
const MAX_ATTEMPTS = 10;
const EMPTY_STREAM: StreamRead = { version: 0, events: [] };

export const toDomainEvent = <Event extends DomainEvent>(event: RecordedEvent): Event =>
  ({ type: event.type, data: event.data }) as unknown as Event;

/**
 * The one write path: read the stream, fold it, decide, append with the version decided on.
 * Without If-Match a concurrent writer is met by deciding again on the new state; with it, 412.
 */
/** The events of each command in turn, each decided on the state the stream and the commands before it leave. */
function decideInTurn<State, Command, Event extends DomainEvent>(
  decider: Decider<State, Command, Event>,
  commands: readonly Command[],
  history: readonly Event[],
): Event[] {
  let state = fold(decider, history);
  const events: Event[] = [];
  for (const command of commands) {
    const decided = decider.decide(command, state);
    state = decided.reduce(decider.evolve, state);
    events.push(...decided);
  }
  return events;
}

@Injectable()
export class StreamWriter {
  /** The tail of each stream's queue of writes in this process. */
  private readonly streamTails = new Map<string, Promise<unknown>>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * Writes to one stream from this process take turns, so they never collide with each other;
   * only writers in other processes can make an append retry.
   */
  execute<State, Command, Event extends DomainEvent>(write: StreamWrite<State, Command, Event>): Promise<WriteAnswer> {
    const previous = this.streamTails.get(write.streamId) ?? Promise.resolve();
    const result = previous.then(() => this.decideAndAppend(write));
    const tail = result.catch(() => undefined);
    this.streamTails.set(write.streamId, tail);
    void tail.then(() => {
      if (this.streamTails.get(write.streamId) === tail) this.streamTails.delete(write.streamId);
    });
    return result;
  }

  private async decideAndAppend<State, Command, Event extends DomainEvent>(
    write: StreamWrite<State, Command, Event>,
  ): Promise<WriteAnswer> {
    const { decider, streamId, command, context, answer, newStream } = write;
    const replay = await this.replay(context);
    if (replay) return replay;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      // Should a new stream not be (its id taken after all), the append says so and the retry reads it.
      const stream = attempt === 1 && newStream ? EMPTY_STREAM : await this.store.readStream(streamId);
      if (context.expectedVersion !== undefined && context.expectedVersion !== stream.version) {
        throw new PreconditionFailed(stream.version);
      }
      const events = decideInTurn(
        decider,
        Array.isArray(command) ? command : [command as Command],
        stream.events.map(toDomainEvent<Event>),
      );
      if (events.length === 0) {
        return { ...answer, version: stream.version, position: String(stream.events.at(-1)?.position ?? 0n), [RECORDED]: 0 };
      }
      const causationId = randomUUID();
      try {
        const result = await this.store.appendToStream(
          streamId,
          events.map((event) => ({
            eventId: randomUUID(),
            type: event.type,
            data: event.data,
            metadata: this.metadata(context, causationId),
          })),
          {
            expectedVersion: stream.version,
            idempotency: context.idempotency && { scope: context.actor.userId, ...context.idempotency, outcome: answer },
          },
        );
        return { ...answer, version: result.version, position: result.position.toString(), [RECORDED]: events.length };
      } catch (error) {
        if (error instanceof IdempotencyKeyTaken) return this.answerFrom(error.record, context);
        if (!(error instanceof WrongExpectedVersion)) throw error;
        if (context.expectedVersion !== undefined) throw new PreconditionFailed(error.actualVersion);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
    throw new TooMuchContention(streamId);
  }

  private metadata(context: WriteContext, causationId: string): JsonObject {
    const { userId, name, roles, partnerId } = context.actor;
    return {
      actor: { sub: userId, name, roles: [...roles], partner: partnerId },
      correlationId: context.correlationId,
      causationId,
      schemaVersion: SCHEMA_VERSION,
      ...(context.occurredOn && { occurredOn: context.occurredOn }),
    };
  }

  private async replay(context: WriteContext): Promise<WriteAnswer | undefined> {
    if (!context.idempotency) return undefined;
    const record = await this.store.findIdempotency(context.actor.userId, context.idempotency.key);
    return record && this.answerFrom(record, context);
  }

  private answerFrom(record: IdempotencyRecord, context: WriteContext): WriteAnswer {
    if (record.fingerprint !== context.idempotency?.fingerprint) throw new IdempotencyKeyReused();
    return { ...(record.outcome as AnswerIds), version: record.version, position: record.position.toString() };
  }
}
