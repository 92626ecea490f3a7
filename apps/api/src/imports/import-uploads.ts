import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { CLOCK, Clock } from '../clock/clock';
import { DATABASE_POOL } from '../database/database-pool';

/** How long a checked file waits for its import to be confirmed. */
const KEPT_MINUTES = 60;

export type Upload = Readonly<{ file: Buffer; mediaType: string; fileName: string }>;

/**
 * A file uploaded on the import page, kept between the dry run and the confirmation: only for the
 * user who uploaded it, and for an hour.
 */
@Injectable()
export class ImportUploads {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async keep(userId: string, upload: Upload): Promise<string> {
    const id = randomUUID();
    const now = this.clock();
    await this.pool.query(
      `WITH cleared AS (DELETE FROM import_uploads WHERE uploaded_at < $7)
       INSERT INTO import_uploads (id, user_id, file_name, media_type, body, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, userId, upload.fileName, upload.mediaType, upload.file, now, new Date(now.getTime() - KEPT_MINUTES * 60_000)],
    );
    return id;
  }

  /** The upload, if this user made it within the hour. */
  async find(userId: string, id: string): Promise<Upload | undefined> {
    const { rows } = await this.pool.query<{ body: Buffer; media_type: string; file_name: string }>(
      'SELECT body, media_type, file_name FROM import_uploads WHERE id = $1 AND user_id = $2 AND uploaded_at >= $3',
      [id, userId, new Date(this.clock().getTime() - KEPT_MINUTES * 60_000)],
    );
    return rows[0] && { file: rows[0].body, mediaType: rows[0].media_type, fileName: rows[0].file_name };
  }

  async forget(id: string): Promise<void> {
    await this.pool.query('DELETE FROM import_uploads WHERE id = $1', [id]);
  }
}
