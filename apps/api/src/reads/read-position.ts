import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Pool } from 'pg';
import { from, mergeMap, Observable } from 'rxjs';
import { DATABASE_POOL } from '../database/database-pool';
import { isLogPosition } from '../http/fields';
import { AnsweredAsProblem, ValidationFailed } from '../http/problem';
import { readModelsPosition } from './snapshot';

export const READ_YOUR_WRITES_TIMEOUT_MS = 5000;

/** The read models had not reached the position a client asked for within the wait: 503. */
export class ReadModelBehind extends AnsweredAsProblem {
  constructor(readonly position: bigint) {
    super(`The read models have not reached position ${position} yet; try again shortly.`, { status: 503, code: 'read-model-behind' });
  }
}

/** How far every read model has got, and waiting for them to reach a write's position. */
@Injectable()
export class ReadPositions {
  private reached = 0n;
  private refreshing?: Promise<bigint>;

  constructor(@Inject(DATABASE_POOL) private readonly pool: Pool) {}

  async waitFor(position: bigint, timeoutMs = READ_YOUR_WRITES_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 2; this.reached < position; delay = Math.min(delay * 2, 50)) {
      if ((await this.refresh()) >= position) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new ReadModelBehind(position);
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
    }
  }

  /** One query at a time however many requests wait: they all share its answer. */
  private refresh(): Promise<bigint> {
    this.refreshing ??= readModelsPosition(this.pool)
      .then((position) => {
        if (position > this.reached) this.reached = position;
        return this.reached;
      })
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }
}

/** Every read honours `?position=`: it answers only once the read models have processed that position. */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(private readonly positions: ReadPositions) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<{ method: string; query?: Record<string, unknown> }>();
    const position = request.query?.position;
    if (request.method !== 'GET' || position === undefined) return next.handle();
    if (typeof position !== 'string' || !isLogPosition(position)) {
      throw new ValidationFailed([{ field: 'position', message: 'must be a position token from a write answer' }]);
    }
    return from(this.positions.waitFor(BigInt(position))).pipe(mergeMap(() => next.handle()));
  }
}
