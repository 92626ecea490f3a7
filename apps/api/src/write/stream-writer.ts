import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Decider, DomainError, DomainEvent, EventRules, fold } from '@app/domain';
import {
  EVENT_STORE,
  EventStore,
  IdempotencyKeyTaken,
  IdempotencyRecord,
  JsonObject,
  NewEvent,
  StreamAppend,
  StreamRead,
  WrongExpectedVersion,
  breathe,
} from '@app/event-store';
import { readableEvents } from '@app/read-models';
import { IdempotencyKeyReused, PreconditionFailed, TooMuchContention } from './write.errors';
import { WriteContext } from './write-context';

/** How many events a write recorded: none when the stream already said it (a repeated create). Not sent to clients. */
export const RECORDED = Symbol('recorded');

/** What a write answers: the id of what it created or changed, and where the stream and the log now stand. */
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

/** A write made together with others (see `executeTogether`): its stream, context and answer, and its decision on the stream's events. */
export type JointWrite = Readonly<{
  streamId: string;
  newStream: boolean;
  /** Made only on a stream that held nothing before: one another writer made first is left as it is, and this write records nothing. */
  onlyIfNew: boolean;
  context: WriteContext;
  answer: AnswerIds;
  decide(history: readonly DomainEvent[]): DomainEvent[];
}>;

/** Writes made together that the domain refused, each by its place among them: nothing was written. */
export class JointWriteRefused extends Error {
  constructor(readonly refusals: readonly Readonly<{ index: number; error: DomainError }>[]) {
    super(refusals.map(({ index, error }) => `write ${index + 1}: ${error.message}`).join('; '));
  }
}

/** The rules the write path holds each event to: the domain's `requireRecordable`, always but where a benchmark measures its cost. */
export const EVENT_RULES = Symbol('EventRules');

export const SCHEMA_VERSION = 1;
const MAX_ATTEMPTS = 10;
/** Writes decided together before the event loop is let through: a large import never holds up the service's requests for long. */
const DECIDED_BETWEEN_BREATHS = 100;
const EMPTY_STREAM: StreamRead = { version: 0, events: [] };

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

const commandsOf = <Command>(command: Command | readonly Command[]): readonly Command[] =>
  Array.isArray(command) ? command : [command as Command];

/** A write to make together with others, its decider's types left behind. */
export const jointWrite = <State, Command, Event extends DomainEvent>(
  write: StreamWrite<State, Command, Event>,
  { onlyIfNew = false } = {},
): JointWrite => ({
  streamId: write.streamId,
  newStream: write.newStream ?? false,
  onlyIfNew,
  context: write.context,
  answer: write.answer,
  decide: (history) => decideInTurn(write.decider, commandsOf(write.command), history as readonly Event[]),
});

/** How a backed-off retry waits: a few milliseconds, more each attempt, at random so that writers part. */
const backOff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));

/**
 * The one write path: read the stream, fold what of it can be read, decide, check every event
 * against its type's schema, append with the version decided on. Without If-Match a concurrent
 * writer is met by deciding again on the new state; with it, 412.
 */
@Injectable()
export class StreamWriter {
  /** The tail of each stream's queue of writes in this process. */
  private readonly streamTails = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_RULES) private readonly requireRecordable: EventRules,
  ) {}

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

  /**
   * Several writes, to one stream or many, recorded together or not at all: each is decided on its
   * stream as the writes before it leave it, every event is checked, and all are appended in one
   * transaction. Any refusal (of every write, not only the first) is thrown as JointWriteRefused,
   * having written nothing. `dryRun` decides and checks, and writes nothing. No idempotency keys.
   */
  async executeTogether(writes: readonly JointWrite[], { dryRun = false } = {}): Promise<WriteAnswer[]> {
    const mustRead = new Set(writes.filter((write) => !write.newStream).map((write) => write.streamId));
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const streams = await this.readStreams(mustRead);
      const { appends, answers, refusals } = await this.decideTogether(writes, streams);
      if (refusals.length > 0) throw new JointWriteRefused(refusals);
      if (dryRun || appends.length === 0) return answers.map(({ answer }) => answer);
      try {
        const results = await this.store.appendToStreams(appends);
        return answers.map(({ answer, append, after }) => {
          if (append === undefined) return answer;
          return { ...answer, position: (results[append].position - BigInt(after)).toString() };
        });
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion)) throw error;
        // Another writer got there first, and what it wrote may reach other streams of these (another
        // import of the same plan): every stream is read, and every write decided again.
        for (const write of writes) mustRead.add(write.streamId);
        await backOff(attempt);
      }
    }
    throw new TooMuchContention(writes[0]?.streamId ?? '');
  }

  private async readStreams(streamIds: ReadonlySet<string>): Promise<Map<string, StreamRead>> {
    const reads = await Promise.all([...streamIds].map(async (streamId) => [streamId, await this.store.readStream(streamId)] as const));
    return new Map(reads);
  }

  /**
   * Every write decided in turn, one append a stream: what each answers, which append holds its
   * last event and how many of that append's events come after it (its position is the append's
   * less those).
   */
  private async decideTogether(writes: readonly JointWrite[], read: ReadonlyMap<string, StreamRead>) {
    const streams = new Map<string, { read: StreamRead; history: DomainEvent[]; appended: NewEvent[] }>();
    const decided: { answer: WriteAnswer; streamId: string; upTo: number }[] = [];
    const refusals: { index: number; error: DomainError }[] = [];
    for (const [index, write] of writes.entries()) {
      if (index > 0 && index % DECIDED_BETWEEN_BREATHS === 0) await breathe();
      let stream = streams.get(write.streamId);
      if (!stream) {
        const found = read.get(write.streamId) ?? EMPTY_STREAM;
        stream = { read: found, history: readableEvents(found.events), appended: [] };
        streams.set(write.streamId, stream);
      }
      try {
        const events = write.onlyIfNew && stream.read.version > 0 ? [] : write.decide(stream.history);
        const recordable = this.recordable(events, write.context);
        stream.history.push(...events);
        stream.appended.push(...recordable);
        const version = stream.read.version + stream.appended.length;
        const position = String(stream.read.events.at(-1)?.position ?? 0n);
        decided.push({
          answer: { ...write.answer, version, position, [RECORDED]: events.length },
          streamId: write.streamId,
          upTo: events.length > 0 ? stream.appended.length : 0,
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        refusals.push({ index, error });
      }
    }
    const appends: StreamAppend[] = [];
    const appendOf = new Map<string, number>();
    for (const [streamId, stream] of streams) {
      if (stream.appended.length === 0) continue;
      appendOf.set(streamId, appends.length);
      appends.push({ streamId, events: stream.appended, options: { expectedVersion: stream.read.version } });
    }
    const answers = decided.map(({ answer, streamId, upTo }) => {
      const append = upTo > 0 ? appendOf.get(streamId) : undefined;
      return { answer, append, after: append === undefined ? 0 : appends[append].events.length - upTo };
    });
    return { appends, answers, refusals };
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
      const events = this.recordable(decideInTurn(decider, commandsOf(command), readableEvents<Event>(stream.events)), context);
      if (events.length === 0) {
        return { ...answer, version: stream.version, position: String(stream.events.at(-1)?.position ?? 0n), [RECORDED]: 0 };
      }
      try {
        const result = await this.store.appendToStream(streamId, events, {
          expectedVersion: stream.version,
          idempotency: context.idempotency && { scope: context.actor.userId, ...context.idempotency, outcome: answer },
        });
        return { ...answer, version: result.version, position: result.position.toString(), [RECORDED]: events.length };
      } catch (error) {
        if (error instanceof IdempotencyKeyTaken) return this.answerFrom(error.record, context);
        if (!(error instanceof WrongExpectedVersion)) throw error;
        if (context.expectedVersion !== undefined) throw new PreconditionFailed(error.actualVersion);
        await backOff(attempt);
      }
    }
    throw new TooMuchContention(streamId);
  }

  /** The events as the store takes them, each first held to every rule of its type: the log keeps what it accepts for good. */
  private recordable(events: readonly DomainEvent[], context: WriteContext): NewEvent[] {
    const causationId = randomUUID();
    return events.map((event) => {
      this.requireRecordable({ type: event.type, data: event.data, occurredOn: context.occurredOn });
      return { eventId: randomUUID(), type: event.type, data: event.data, metadata: this.metadata(context, causationId) };
    });
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
