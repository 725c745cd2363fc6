//! Schema versions, applied in order and recorded in `user_version`.

use rusqlite::Connection;

use crate::error::{DatabaseProblem, Error, Result};

const MIGRATIONS: &[&str] = &[
    // 1: sessions, faces and the provider call log.
    "CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        group_id TEXT NOT NULL,
        talent_name TEXT NOT NULL,
        image_url TEXT NOT NULL,
        h5_link TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        state TEXT NOT NULL,
        asset_id TEXT,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        link_issued_at_ms INTEGER NOT NULL
    );
    CREATE TABLE faces (
        asset_id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        image_url TEXT NOT NULL,
        thumbnail TEXT,
        group_id TEXT,
        enrolled_at_ms INTEGER NOT NULL,
        price_usd TEXT,
        tx_hash TEXT
    );
    CREATE TABLE provider_calls (
        provider TEXT NOT NULL,
        kind TEXT NOT NULL,
        at_ms INTEGER NOT NULL
    );
    CREATE INDEX provider_calls_by_time ON provider_calls (provider, kind, at_ms);",
    // 2: the payment ledger. A signed header is written here before the request leaves, so a
    // retry after a crash re-sends the same authorization instead of paying twice.
    "CREATE TABLE payments (
        id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        purpose TEXT NOT NULL,
        amount_atomic TEXT NOT NULL,
        payee TEXT NOT NULL,
        network TEXT NOT NULL,
        asset_contract TEXT NOT NULL,
        nonce TEXT NOT NULL UNIQUE,
        header_name TEXT NOT NULL,
        header_value TEXT NOT NULL,
        status TEXT NOT NULL,
        settlement_tx TEXT,
        asset_id TEXT,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
    );
    CREATE INDEX payments_by_purpose ON payments (purpose, created_at_ms);",
    // 3: the photo checks the operator chose to override, kept with the session until enroll
    // and then on the face (comma-separated check ids; NULL when none was overridden).
    "ALTER TABLE sessions ADD COLUMN photo_override TEXT;
    ALTER TABLE faces ADD COLUMN photo_override TEXT;",
    // 4: BytePlus providers. A session is asked about by its BytedToken until the phone check
    // creates the group; a verified person's group collects image, video and audio assets,
    // each processed by the provider before it can be used.
    "ALTER TABLE sessions ADD COLUMN liveness_token TEXT;
    ALTER TABLE faces ADD COLUMN asset_type TEXT NOT NULL DEFAULT 'image';
    ALTER TABLE faces ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
    ALTER TABLE faces ADD COLUMN status_message TEXT;
    CREATE INDEX faces_by_status ON faces (status);",
    // 5: Seedance video jobs. A job outlives the app (providers keep it claimable for 48 h), so
    // its remote id, poll address and payment are written before polling starts.
    "CREATE TABLE video_jobs (
        id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        face_asset_id TEXT NOT NULL,
        model TEXT NOT NULL,
        prompt TEXT NOT NULL,
        duration_seconds INTEGER NOT NULL,
        resolution TEXT NOT NULL,
        aspect_ratio TEXT NOT NULL,
        state TEXT NOT NULL,
        remote_id TEXT,
        poll_url TEXT,
        price_usd TEXT,
        payment_id TEXT,
        charged INTEGER,
        result_url TEXT,
        local_path TEXT,
        error TEXT,
        created_at_ms INTEGER NOT NULL,
        submitted_at_ms INTEGER,
        completed_at_ms INTEGER,
        updated_at_ms INTEGER NOT NULL
    );
    CREATE INDEX video_jobs_by_state ON video_jobs (state, created_at_ms);",
    // 6: the consent record kept with every face: who ran the session, when, the liveness
    // session or group, the photo's bytes (sha256) and what paid.
    "ALTER TABLE faces ADD COLUMN consent_operator TEXT;
    ALTER TABLE faces ADD COLUMN consent_at_ms INTEGER;
    ALTER TABLE faces ADD COLUMN liveness_ref TEXT;
    ALTER TABLE faces ADD COLUMN photo_sha256 TEXT;
    ALTER TABLE faces ADD COLUMN payment_ref TEXT;
    CREATE INDEX faces_by_name ON faces (name COLLATE NOCASE);",
    // 7: the library list reads only this index, never the rows with their preview images, so
    // 10,000 faces list without touching hundreds of megabytes of thumbnails.
    "CREATE INDEX faces_list ON faces (enrolled_at_ms DESC, asset_id, provider, kind, name, group_id,
        asset_type, status, status_message, thumbnail IS NOT NULL, consent_at_ms IS NOT NULL);",
    // 8: the person's video and voice clips a job gives Seedance beside the face, kept so a job
    // re-sent after a restart sends the same ones (comma-separated asset ids; '' when none).
    "ALTER TABLE video_jobs ADD COLUMN reference_videos TEXT NOT NULL DEFAULT '';
    ALTER TABLE video_jobs ADD COLUMN reference_audios TEXT NOT NULL DEFAULT '';",
    // 9: never pay twice: at most one payment in flight (signed, outcome unknown) per purpose,
    // as on the shared database, where two desks may press Pay for one thing at once.
    "CREATE UNIQUE INDEX payments_one_in_flight ON payments (purpose) WHERE status = 'signed';",
    // 10: a local photo is hosted for the provider and deleted once it answered: when, on the
    // face's consent record.
    "ALTER TABLE faces ADD COLUMN hosted_deleted_at_ms INTEGER;",
    // 11: the release the talent agreed to (kept with the session until enroll, then on the
    // face, never rewritten), revocation, and the studio's versioned release templates. The
    // list's covering index takes the two dates the list strikes faces through by.
    "ALTER TABLE sessions ADD COLUMN talent_consent TEXT;
    ALTER TABLE faces ADD COLUMN release_version INTEGER;
    ALTER TABLE faces ADD COLUMN release_text TEXT;
    ALTER TABLE faces ADD COLUMN release_sha256 TEXT;
    ALTER TABLE faces ADD COLUMN typed_name TEXT;
    ALTER TABLE faces ADD COLUMN agreed_at_ms INTEGER;
    ALTER TABLE faces ADD COLUMN consent_ends_at_ms INTEGER;
    ALTER TABLE faces ADD COLUMN revoked_at_ms INTEGER;
    ALTER TABLE faces ADD COLUMN revoked_reason TEXT;
    CREATE TABLE release_templates (
        version INTEGER PRIMARY KEY,
        production TEXT NOT NULL,
        uses TEXT NOT NULL,
        term_months INTEGER NOT NULL,
        territory TEXT NOT NULL,
        free_text TEXT NOT NULL,
        saved_at_ms INTEGER NOT NULL
    );
    DROP INDEX faces_list;
    CREATE INDEX faces_list ON faces (enrolled_at_ms DESC, asset_id, provider, kind, name, group_id,
        asset_type, status, status_message, thumbnail IS NOT NULL, consent_at_ms IS NOT NULL,
        consent_ends_at_ms, revoked_at_ms);",
    // 12: who ran each step: the operator (Settings → Operator name) on every session, payment and video job.
    "ALTER TABLE sessions ADD COLUMN operator TEXT NOT NULL DEFAULT '';
    ALTER TABLE payments ADD COLUMN operator TEXT NOT NULL DEFAULT '';
    ALTER TABLE video_jobs ADD COLUMN operator TEXT NOT NULL DEFAULT '';",
    // 13: the producers' own labels on a face (tags and projects, one per line; '' when none).
    // The list shows and searches them, so the list's covering index takes them too and the
    // 10,000-face list still never reads the rows with their previews.
    "ALTER TABLE faces ADD COLUMN tags TEXT NOT NULL DEFAULT '';
    DROP INDEX faces_list;
    CREATE INDEX faces_list ON faces (enrolled_at_ms DESC, asset_id, provider, kind, name, group_id,
        asset_type, status, status_message, thumbnail IS NOT NULL, consent_at_ms IS NOT NULL,
        consent_ends_at_ms, revoked_at_ms, tags);",
];

/// The newest version this app knows.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn migrate(conn: &Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    // Running an old app on a newer file would write rows the newer schema does not expect:
    // refuse before touching anything.
    if current > VERSION {
        return Err(Error::database(
            DatabaseProblem::Newer,
            format!(
                "This library was last opened by a newer Likeness Studio (schema version {current}; \
                 this app knows up to {VERSION}). Update the app on this desk; nothing was changed."
            ),
        ));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
