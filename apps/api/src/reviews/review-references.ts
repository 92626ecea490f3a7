import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { StateConflict, reviewReferenceKey } from '@app/domain';
import { reviewList } from '@app/read-models';
import { DATABASE_POOL } from '../database/database-pool';

/** The references the reviews hold: one review to a reference, told apart as `reviewReferenceKey` says. */
@Injectable()
export class ReviewReferences {
  constructor(@Inject(DATABASE_POOL) private readonly pool: Pool) {}

  /**
   * Refuses a reference another review holds, as the review list has it: a review registered in
   * the same moment elsewhere, not yet in the list, is not seen (a correction then tells them apart).
   */
  async requireFree(reference: string, reviewId: string): Promise<void> {
    const { rows } = await this.pool.query<{ reference: string }>(
      `SELECT doc->>'reference' AS reference FROM ${reviewList.table} WHERE key <> $1`,
      [reviewId],
    );
    const key = reviewReferenceKey(reference);
    const holder = rows.find((row) => reviewReferenceKey(row.reference) === key);
    if (holder) {
      throw new StateConflict(
        'review-reference-taken',
        `Another review already has the reference '${holder.reference}': give this review a reference of its own.`,
      );
    }
  }
}
