-- Migration 5: a group of appends in one call (see migrations.ts and the append rules in docs/event-store.md).
CREATE FUNCTION append_events(
  stream_ids text[], expected_versions integer[], event_counts integer[],
  claim_scopes text[], claim_keys text[], claim_fingerprints text[], claim_outcomes jsonb[],
  event_ids uuid[], event_types text[], event_data json[], event_metadata json[],
  hashed_before_position text[], hashed_after_recorded_at text[],
  idempotency_window interval)
RETURNS TABLE (appended_version integer, appended_position bigint, actual_version integer, duplicate_event_id uuid, claimed json)
LANGUAGE plpgsql AS $$
DECLARE
  tip bigint;
  tip_hash bytea;
  recorded timestamptz;
  recorded_text text;
  written bigint[] := array_fill(NULL::bigint, ARRAY[cardinality(event_ids)]);
  written_streams text[] := array_fill(NULL::text, ARRAY[cardinality(event_ids)]);
  written_versions integer[] := array_fill(NULL::integer, ARRAY[cardinality(event_ids)]);
  prev_hashes bytea[] := array_fill(NULL::bytea, ARRAY[cardinality(event_ids)]);
  hashes bytea[] := array_fill(NULL::bytea, ARRAY[cardinality(event_ids)]);
  group_streams text[] := '{}';
  group_versions integer[] := '{}';
  group_event_ids uuid[] := '{}';
  group_claims idempotency_keys[] := '{}';
  repeated_streams text[];
  repeated_ids uuid[];
  first_tip bigint;
  stored_versions integer[];
  recorded_ids uuid[];
  live_claims idempotency_keys[] := '{}';
  first_event integer := 1;
  last_event integer;
  in_group integer;
  stream_version integer;
BEGIN
  SELECT h.position, h.hash, greatest(date_trunc('milliseconds', clock_timestamp()), h.recorded_at)
    INTO tip, tip_hash, recorded FROM event_log_head h FOR UPDATE;
  first_tip := tip;
  recorded_text := to_char(recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  -- What the checks need from the log, three lookups for the whole group. EXECUTE has each
  -- planned afresh for the log as it is now: a plan the session cached while the log was empty
  -- would go on scanning it whole. Each stream's version is a probe at the end of its index.
  EXECUTE $sql$SELECT array_agg(coalesce((SELECT max(e.version) FROM events e WHERE e.stream_id = s.id), 0) ORDER BY s.n)
                 FROM unnest($1) WITH ORDINALITY AS s(id, n)$sql$
    INTO stored_versions USING stream_ids;
  EXECUTE $sql$SELECT coalesce(array_agg(e.event_id), '{}') FROM events e WHERE e.event_id = ANY($1)$sql$
    INTO recorded_ids USING event_ids;
  IF cardinality(array_remove(claim_scopes, NULL)) > 0 THEN
    EXECUTE $sql$SELECT coalesce(array_agg(k), '{}') FROM idempotency_keys k
                  WHERE (k.scope, k.key) IN (SELECT * FROM unnest($1, $2)) AND k.created_at > now() - $3$sql$
      INTO live_claims USING claim_scopes, claim_keys, idempotency_window;
  END IF;
  -- Only streams and event ids that come more than once in the group are looked for among the
  -- appends before: searching them all would cost a large group the square of its size.
  repeated_streams := ARRAY(SELECT s FROM unnest(stream_ids) AS s GROUP BY s HAVING count(*) > 1);
  repeated_ids := ARRAY(SELECT id FROM unnest(event_ids) AS id GROUP BY id HAVING count(*) > 1);
  FOR i IN 1 .. cardinality(stream_ids) LOOP
    last_event := first_event + event_counts[i] - 1;
    appended_version := NULL; appended_position := NULL; actual_version := NULL; duplicate_event_id := NULL; claimed := NULL;
    in_group := CASE WHEN stream_ids[i] = ANY(repeated_streams) THEN array_position(group_streams, stream_ids[i]) END;
    stream_version := coalesce(group_versions[in_group], stored_versions[i]);
    IF stream_version <> expected_versions[i] THEN
      actual_version := stream_version;
    ELSE
      FOR k IN first_event .. last_event LOOP
        IF event_ids[k] = ANY(recorded_ids) OR (event_ids[k] = ANY(repeated_ids)
            AND (event_ids[k] = ANY(group_event_ids) OR event_ids[k] = ANY(event_ids[first_event:k - 1]))) THEN
          duplicate_event_id := event_ids[k];
          EXIT;
        END IF;
      END LOOP;
      IF duplicate_event_id IS NULL AND claim_scopes[i] IS NOT NULL THEN
        SELECT json_build_object('scope', c.scope, 'key', c.key, 'fingerprint', c.fingerprint, 'outcome', c.outcome,
                 'stream_id', c.stream_id, 'version', c.version, 'position', c.position::text, 'created_at', c.created_at)
          INTO claimed
          FROM unnest(group_claims || live_claims) AS c
         WHERE c.scope = claim_scopes[i] AND c.key = claim_keys[i]
         LIMIT 1;
      END IF;
      IF duplicate_event_id IS NULL AND claimed IS NULL THEN
        FOR k IN first_event .. last_event LOOP
          tip := tip + 1;
          stream_version := stream_version + 1;
          written[k] := tip;
          written_streams[k] := stream_ids[i];
          written_versions[k] := stream_version;
          prev_hashes[k] := tip_hash;
          tip_hash := sha256(tip_hash || convert_to(
            hashed_before_position[k] || tip || '","recordedAt":"' || recorded_text || hashed_after_recorded_at[k], 'UTF8'));
          hashes[k] := tip_hash;
        END LOOP;
        IF cardinality(repeated_ids) > 0 THEN
          group_event_ids := group_event_ids || event_ids[first_event:last_event];
        END IF;
        IF in_group IS NOT NULL THEN
          group_versions[in_group] := stream_version;
        ELSIF stream_ids[i] = ANY(repeated_streams) THEN
          group_streams := group_streams || stream_ids[i];
          group_versions := group_versions || stream_version;
        END IF;
        IF claim_scopes[i] IS NOT NULL THEN
          group_claims := group_claims || ROW(claim_scopes[i], claim_keys[i], claim_fingerprints[i], claim_outcomes[i],
                                              stream_ids[i], stream_version, tip, recorded)::idempotency_keys;
        END IF;
        appended_version := stream_version;
        appended_position := tip;
      END IF;
    END IF;
    RETURN NEXT;
    first_event := last_event + 1;
  END LOOP;
  IF tip > first_tip THEN
    INSERT INTO events (position, event_id, stream_id, version, type, data, metadata, recorded_at, prev_hash, hash)
    SELECT w.position, w.event_id, w.stream_id, w.version, w.type, w.data, w.metadata, recorded, w.prev_hash, w.hash
      FROM unnest(written, event_ids, written_streams, written_versions, event_types, event_data, event_metadata, prev_hashes, hashes)
           AS w(position, event_id, stream_id, version, type, data, metadata, prev_hash, hash)
     WHERE w.position IS NOT NULL;
    UPDATE event_log_head SET position = tip, hash = tip_hash, recorded_at = recorded;
  END IF;
  INSERT INTO idempotency_keys SELECT * FROM unnest(group_claims)
    ON CONFLICT (scope, key) DO UPDATE SET
      fingerprint = excluded.fingerprint, outcome = excluded.outcome, stream_id = excluded.stream_id,
      version = excluded.version, position = excluded.position, created_at = excluded.created_at;
END $$;
