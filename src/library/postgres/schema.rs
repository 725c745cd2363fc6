//! The shared database's schema versions, applied in order and recorded in `likeness_schema`.
//! The same tables as the SQLite file (src/library/schema.rs), plus what several desks need:
//! the desk on every row, an insertion order (`seq`, SQLite's rowid), and the studio's caps.

use deadpool_postgres::Object;

use super::Answer;
use crate::error::{DatabaseProblem, Error};

const MIGRATIONS: &[&str] = &[
    // 1: the library as SQLite's version 9 has it, for several desks.
    "CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        group_id TEXT NOT NULL,
        talent_name TEXT NOT NULL,
        image_url TEXT NOT NULL,
        h5_link TEXT NOT NULL,
        expires_at_ms BIGINT NOT NULL,
        state TEXT NOT NULL,
        asset_id TEXT,
        created_at_ms BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        link_issued_at_ms BIGINT NOT NULL,
        photo_override TEXT,
        liveness_token TEXT,
        desk TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX sessions_by_state ON sessions (state, created_at_ms);
    CREATE TABLE faces (
        asset_id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        image_url TEXT NOT NULL,
        thumbnail TEXT,
        group_id TEXT,
        enrolled_at_ms BIGINT NOT NULL,
        price_usd TEXT,
        tx_hash TEXT,
        photo_override TEXT,
        asset_type TEXT NOT NULL DEFAULT 'image',
        status TEXT NOT NULL DEFAULT 'active',
        status_message TEXT,
        consent_operator TEXT,
        consent_at_ms BIGINT,
        liveness_ref TEXT,
        photo_sha256 TEXT,
        payment_ref TEXT,
        desk TEXT NOT NULL DEFAULT '',
        seq BIGSERIAL NOT NULL
    );
    CREATE INDEX faces_by_status ON faces (status);
    CREATE INDEX faces_by_group ON faces (provider, group_id);
    -- The list reads only this index (an index-only scan), never the rows with their previews.
    CREATE INDEX faces_list ON faces (enrolled_at_ms DESC, seq DESC) INCLUDE (asset_id, provider,
        kind, name, group_id, asset_type, status, status_message, consent_at_ms);
    CREATE TABLE provider_calls (
        provider TEXT NOT NULL,
        kind TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        desk TEXT NOT NULL DEFAULT '',
        -- Desks behind one public address spend one budget: '' is the studio's network, and a
        -- desk elsewhere names its own.
        network TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX provider_calls_by_time ON provider_calls (network, provider, kind, at_ms);
    CREATE TABLE payments (
        id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        purpose TEXT NOT NULL,
        amount_atomic NUMERIC(39, 0) NOT NULL CHECK (amount_atomic >= 0),
        payee TEXT NOT NULL,
        network TEXT NOT NULL,
        asset_contract TEXT NOT NULL,
        nonce TEXT NOT NULL UNIQUE,
        header_name TEXT NOT NULL,
        header_value TEXT NOT NULL,
        status TEXT NOT NULL,
        settlement_tx TEXT,
        asset_id TEXT,
        created_at_ms BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        desk TEXT NOT NULL DEFAULT '',
        seq BIGSERIAL NOT NULL
    );
    CREATE INDEX payments_by_purpose ON payments (purpose, created_at_ms);
    CREATE INDEX payments_by_time ON payments (created_at_ms);
    -- Never pay twice: one payment in flight per purpose, whichever desk signed it.
    CREATE UNIQUE INDEX payments_one_in_flight ON payments (purpose) WHERE status = 'signed';
    CREATE TABLE video_jobs (
        id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        face_asset_id TEXT NOT NULL,
        model TEXT NOT NULL,
        prompt TEXT NOT NULL,
        duration_seconds BIGINT NOT NULL,
        resolution TEXT NOT NULL,
        aspect_ratio TEXT NOT NULL,
        state TEXT NOT NULL,
        remote_id TEXT,
        poll_url TEXT,
        price_usd TEXT,
        payment_id TEXT,
        charged BOOLEAN,
        result_url TEXT,
        local_path TEXT,
        error TEXT,
        created_at_ms BIGINT NOT NULL,
        submitted_at_ms BIGINT,
        completed_at_ms BIGINT,
        updated_at_ms BIGINT NOT NULL,
        reference_videos TEXT NOT NULL DEFAULT '',
        reference_audios TEXT NOT NULL DEFAULT '',
        desk TEXT NOT NULL DEFAULT '',
        seq BIGSERIAL NOT NULL,
        -- The desk that polls the job, until when: another desk takes over once it lapses.
        lease_desk TEXT,
        lease_until_ms BIGINT
    );
    CREATE INDEX video_jobs_by_state ON video_jobs (state, created_at_ms);
    -- The studio's caps: one row, also the lock every payment takes while it checks the day's
    -- total and files its ledger row. NULL caps: each desk's own Settings apply.
    CREATE TABLE studio_caps (
        id INT PRIMARY KEY CHECK (id = 1),
        per_payment_atomic NUMERIC(39, 0),
        daily_atomic NUMERIC(39, 0),
        updated_at_ms BIGINT NOT NULL DEFAULT 0,
        desk TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO studio_caps (id) VALUES (1);
    -- Bumped by every statement that changes faces: the desks poll this one row to learn that
    -- another desk enrolled (or changed) a face.
    CREATE TABLE library_changes (
        id INT PRIMARY KEY CHECK (id = 1),
        faces BIGINT NOT NULL DEFAULT 0
    );
    INSERT INTO library_changes (id) VALUES (1);
    CREATE FUNCTION likeness_faces_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE library_changes SET faces = faces + 1 WHERE id = 1;
        RETURN NULL;
    END $$;
    CREATE TRIGGER faces_changed AFTER INSERT OR UPDATE OR DELETE ON faces
        FOR EACH STATEMENT EXECUTE FUNCTION likeness_faces_changed();",
    // 2: as SQLite's version 10: when the copy of a local photo hosted for the provider was
    // deleted, on the face's consent record.
    "ALTER TABLE faces ADD COLUMN hosted_deleted_at_ms BIGINT;",
    // 3: as SQLite's version 11: the talent's release (on the session until enroll, then on
    // the face, never rewritten), revocation, and the studio's versioned release templates.
    "ALTER TABLE sessions ADD COLUMN talent_consent TEXT;
    ALTER TABLE faces ADD COLUMN release_version INT;
    ALTER TABLE faces ADD COLUMN release_text TEXT;
    ALTER TABLE faces ADD COLUMN release_sha256 TEXT;
    ALTER TABLE faces ADD COLUMN typed_name TEXT;
    ALTER TABLE faces ADD COLUMN agreed_at_ms BIGINT;
    ALTER TABLE faces ADD COLUMN consent_ends_at_ms BIGINT;
    ALTER TABLE faces ADD COLUMN revoked_at_ms BIGINT;
    ALTER TABLE faces ADD COLUMN revoked_reason TEXT;
    CREATE TABLE release_templates (
        version INT PRIMARY KEY,
        production TEXT NOT NULL,
        uses TEXT NOT NULL,
        term_months INT NOT NULL,
        territory TEXT NOT NULL,
        free_text TEXT NOT NULL,
        saved_at_ms BIGINT NOT NULL,
        desk TEXT NOT NULL DEFAULT ''
    );",
    // 4: as SQLite's version 12: the operator on every session, payment and video job.
    "ALTER TABLE sessions ADD COLUMN operator TEXT NOT NULL DEFAULT '';
    ALTER TABLE payments ADD COLUMN operator TEXT NOT NULL DEFAULT '';
    ALTER TABLE video_jobs ADD COLUMN operator TEXT NOT NULL DEFAULT '';",
    // 5: as SQLite's version 13: the producers' tags on a face. The list's covering index takes
    // them, and every other listed column, so the list is an index-only scan again: version 3's
    // two dates and whether a preview exists (a stored column, since an index cannot include
    // `thumbnail IS NOT NULL`) were read from the table's rows until now.
    "ALTER TABLE faces ADD COLUMN tags TEXT NOT NULL DEFAULT '';
    ALTER TABLE faces ADD COLUMN has_thumbnail BOOLEAN GENERATED ALWAYS AS (thumbnail IS NOT NULL) STORED;
    DROP INDEX faces_list;
    CREATE INDEX faces_list ON faces (enrolled_at_ms DESC, seq DESC) INCLUDE (asset_id, provider,
        kind, name, group_id, asset_type, status, status_message, consent_at_ms, consent_ends_at_ms,
        revoked_at_ms, has_thumbnail, tags);",
];

/// The newest version this app knows.
pub const VERSION: i32 = MIGRATIONS.len() as i32;

/// Any fixed number: desks starting at once take turns migrating.
const MIGRATION_LOCK: i64 = 0x6c69_6b65;

pub(super) async fn migrate(client: &mut Object) -> Answer<()> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS likeness_schema (
             version INT PRIMARY KEY,
             applied_at_ms BIGINT NOT NULL
         )",
    )
    .await?;
    let current: i32 = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM likeness_schema", &[])
        .await?
        .get(0);
    // An old app writing to a newer schema could break the desks that upgraded: refuse, and
    // change nothing.
    if current > VERSION {
        return Err(Error::database(
            DatabaseProblem::Newer,
            format!(
                "The studio database was set up by a newer Likeness Studio (schema version \
                 {current}; this app knows up to {VERSION}). Update the app on this desk; \
                 nothing was changed."
            ),
        )
        .into());
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO likeness_schema (version, applied_at_ms) VALUES ($1, $2)",
            &[&(i as i32 + 1), &wall_ms()],
        )
        .await?;
        tracing::info!(version = i + 1, "studio database migrated");
    }
    tx.commit().await?;
    Ok(())
}

fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
