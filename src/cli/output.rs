//! Human text or JSON lines, one place for both.

use likeness::clock::rfc3339;
use likeness::error::{CommandError, Error};
use likeness::flow::SessionView;
use likeness::library::{DeskSession, Face, LivenessSession};
use likeness::secrets::Secret;
use likeness::wallet::WalletInfo;
use serde_json::{json, Value};

pub struct Output {
    pub json: bool,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Output { json }
    }

    fn line(&self, v: Value) {
        println!("{v}");
    }

    pub fn event(&self, event: &str, data: Value) {
        if self.json {
            self.line(json!({ "event": event, "data": data }));
        }
    }

    fn result(&self, v: Value) {
        self.line(json!({ "result": v }));
    }

    pub fn error(&self, e: &Error) {
        if self.json {
            self.line(json!({ "error": CommandError::from(e) }));
        } else {
            eprintln!("error: {e}");
            if let Some(detail) = e.detail() {
                eprintln!("details: {detail}");
            }
        }
    }

    fn session_json(s: &LivenessSession) -> Value {
        json!({
            "id": s.id,
            "provider": s.provider,
            "groupId": s.group_id,
            "name": s.talent_name,
            "imageUrl": s.image_url,
            "link": s.h5_link,
            "expiresAt": rfc3339(s.expires_at_ms),
            "expiresAtMs": s.expires_at_ms,
            "state": s.state,
            "assetId": s.asset_id,
            "token": s.liveness_token,
            "talentConsent": s.talent_consent,
            "operator": s.operator,
        })
    }

    pub fn session(&self, v: &SessionView) {
        if self.json {
            let mut j = Self::session_json(&v.session);
            j["notice"] = json!(v.notice);
            j["budget"] = json!(v.budget);
            j["release"] = json!(v.release);
            self.result(j);
        } else {
            let s = &v.session;
            if let Some(r) = &v.release {
                println!("{}\n", r.text);
                println!("release   version {} (sha256 {})", r.version, r.sha256);
                println!(
                    "next      Ask {} to read the release above; when they have typed their name, run `likeness session consent --id {} --typed-name \"<their name>\"` for the QR.",
                    s.talent_name, s.id
                );
            }
            println!("session   {}", s.id);
            println!("group     {}", s.group_id);
            println!("state     {}", s.state.as_str());
            println!("link      {}", s.h5_link);
            println!("expires   {}", rfc3339(s.expires_at_ms));
            if let Some(a) = &s.asset_id {
                println!("asset     {a}");
            }
            if let Some(n) = &v.notice {
                println!("note      {}", n.message);
            }
            if let Some(b) = &v.budget {
                println!(
                    "budget    {} of {} status checks and {} of {} new links left this hour at {}",
                    b.status_checks_left,
                    b.status_checks_per_hour,
                    b.new_links_left,
                    b.new_links_per_hour,
                    b.host
                );
            }
        }
    }

    pub fn sync_report(&self, r: &likeness::library::SyncReport) {
        if self.json {
            self.event("library_synced", json!(r));
        } else {
            println!(
                "Synced: {} new, {} updated, {} unchanged{}.",
                r.added,
                r.updated,
                r.unchanged,
                if r.conflicts > 0 {
                    format!(", {} skipped (filed under another provider)", r.conflicts)
                } else {
                    String::new()
                }
            );
        }
    }

    pub fn session_started(&self, v: &SessionView) {
        if self.json {
            self.event("session_started", Self::session_json(&v.session));
        } else {
            let qr = likeness::qr::terminal(&v.session.h5_link).unwrap_or_default();
            println!("{qr}");
            println!(
                "Ask {} to scan this code with their phone camera.",
                v.session.talent_name
            );
            println!("Link: {}", v.session.h5_link);
            println!("Press Enter when they have finished to check at once.");
        }
    }

    pub fn progress(&self, v: &SessionView) {
        if self.json {
            let mut j = Self::session_json(&v.session);
            j["notice"] = json!(v.notice);
            self.event("session_updated", j);
        } else {
            if let Some(n) = &v.notice {
                println!("\n{}", n.message);
            }
            println!("\n{}", plain_state(v.session.state));
        }
    }

    pub fn countdown(&self, v: &SessionView) {
        if self.json || v.session.state != likeness::flow::SessionState::AwaitingScan {
            return;
        }
        let now = likeness::clock::Clock::new().now_ms();
        let left = ((v.session.expires_at_ms - now) / 1000).max(0);
        print!(
            "\rWaiting for the phone check… {}:{:02} left ",
            left / 60,
            left % 60
        );
        use std::io::Write;
        let _ = std::io::stdout().flush();
    }

    pub fn quote(&self, q: &likeness::payment::PaymentQuote) {
        self.event("payment_quote", serde_json::to_value(q).unwrap_or_default());
    }

    pub fn face(&self, f: &Face) {
        if self.json {
            self.result(face_json(f));
        } else {
            println!("Enrolled {} — asset id {}", f.name, f.asset_id);
            if f.status != likeness::providers::AssetStatus::Active {
                println!("Provider status: {}", f.status.as_str());
                if let Some(m) = &f.status_message {
                    println!("{m}");
                }
            }
        }
    }

    /// An asset in a verified person's group, with where the provider stands on it.
    pub fn asset(&self, f: &Face) {
        if self.json {
            self.result(face_json(f));
        } else {
            println!("asset     {}", f.asset_id);
            println!("person    {}", f.name);
            if let Some(g) = &f.group_id {
                println!("group     {g}");
            }
            println!("type      {}", f.asset_type.as_str());
            println!("status    {}", f.status.as_str());
            if let Some(m) = &f.status_message {
                println!("problem   {m}");
            }
            if f.status == likeness::providers::AssetStatus::Active {
                println!("use as    asset://{}", f.asset_id);
            }
        }
    }

    /// The library list; `searched` when it was narrowed by `--search`, `--only-provider` or
    /// `--kind`.
    pub fn faces(&self, faces: &[Face], searched: bool) {
        if self.json {
            self.result(json!(faces.iter().map(face_json).collect::<Vec<_>>()));
        } else if faces.is_empty() && searched {
            println!("No face in the library matches the search.");
        } else if faces.is_empty() {
            println!("The library is empty. Enroll a face with `likeness enroll-flow`.");
        } else {
            let now = likeness::clock::Clock::new().now_ms();
            for f in faces {
                println!(
                    "{}  {:<24} {:<10} {:<6} {:<10} {}{}",
                    f.asset_id,
                    f.name,
                    f.provider,
                    f.asset_type.as_str(),
                    f.status.as_str(),
                    rfc3339(f.enrolled_at_ms),
                    consent_note(f, now)
                );
            }
        }
    }

    /// The release before the QR, for the talent to read at this terminal (enroll-flow).
    pub fn release_to_agree(&self, v: &SessionView) {
        let Some(r) = &v.release else { return };
        if self.json {
            self.event(
                "release_shown",
                json!({ "session": v.session.id, "release": r }),
            );
        } else {
            println!("{}\n", r.text);
            println!(
                "{}: type your name and press Enter to agree to this release.",
                v.session.talent_name
            );
        }
    }

    pub fn release(&self, t: &likeness::library::ReleaseTemplate) {
        let text = t.text();
        let sha = likeness::library::sha256_hex(&text);
        if self.json {
            let mut j = json!(t);
            j["text"] = json!(text);
            j["sha256"] = json!(sha);
            self.result(j);
        } else {
            println!("{text}\n");
            println!("version {} · sha256 {sha}", t.version);
        }
    }

    pub fn revoked(&self, f: &Face) {
        if self.json {
            self.result(face_json(f));
        } else if let Some(r) = &f.revoked {
            println!(
                "Revoked {} ({}) on {}{}. No new video of this face will be made.",
                f.name,
                f.asset_id,
                rfc3339(r.at_ms),
                if r.reason.is_empty() {
                    String::new()
                } else {
                    format!(": {}", r.reason)
                }
            );
        }
    }

    /// A face after `faces rename` or `faces tag`: its name and tags as filed now.
    pub fn labelled(&self, f: &Face) {
        if self.json {
            self.result(face_json(f));
        } else if f.tags.is_empty() {
            println!("{} ({}) · no tags", f.name, f.asset_id);
        } else {
            println!("{} ({}) · tags: {}", f.name, f.asset_id, f.tags.join(", "));
        }
    }

    /// Where a receipt PDF went, how many records and pages it holds.
    pub fn pdf_written(&self, path: &std::path::Path, records: usize, pdf: &[u8]) {
        let pages = likeness::library::pdf_page_count(pdf).unwrap_or(0);
        if self.json {
            self.result(json!({
                "path": path.display().to_string(),
                "records": records,
                "pages": pages,
                "bytes": pdf.len(),
            }));
        } else {
            println!(
                "{} ({records} record{}, {pages} page{})",
                path.display(),
                if records == 1 { "" } else { "s" },
                if pages == 1 { "" } else { "s" }
            );
        }
    }

    /// Where `faces receipt` wrote the page.
    pub fn receipt_written(&self, asset_id: &str, path: &std::path::Path) {
        if self.json {
            self.result(json!({ "assetId": asset_id, "path": path.display().to_string() }));
        } else {
            println!("{}", path.display());
        }
    }

    pub fn sessions(&self, sessions: &[LivenessSession]) {
        if self.json {
            self.result(json!(sessions
                .iter()
                .map(Self::session_json)
                .collect::<Vec<_>>()));
        } else if sessions.is_empty() {
            println!("No open sessions.");
        } else {
            for s in sessions {
                println!(
                    "{}  {:<24} {:<14} {}",
                    s.id,
                    s.talent_name,
                    s.state.as_str(),
                    s.group_id
                );
                println!("    {}", next_step(s));
            }
        }
    }
}

impl Output {
    /// Every desk's open sessions (`sessions --all-desks` on the shared database): this desk's
    /// as `sessions` lists them, then the others' with their desk ("desk-2: Ada, waiting, 1:12").
    pub fn all_desks_sessions(
        &self,
        this_desk: &str,
        mine: &[LivenessSession],
        others: &[DeskSession],
        now_ms: i64,
    ) {
        if self.json {
            let rows = mine
                .iter()
                .map(|s| (this_desk, s))
                .chain(others.iter().map(|d| (d.desk.as_str(), &d.session)))
                .map(|(desk, s)| {
                    let mut j = Self::session_json(s);
                    j["desk"] = json!(desk);
                    j
                })
                .collect::<Vec<_>>();
            self.result(json!(rows));
            return;
        }
        self.sessions(mine);
        for d in others {
            let s = &d.session;
            let secs = ((now_ms - s.created_at_ms) / 1000).max(0);
            let who = match s.operator.as_str() {
                "" => d.desk.clone(),
                operator => format!("{} ({operator})", d.desk),
            };
            println!(
                "{}: {}, {}, {}:{:02}  ({})",
                who,
                s.talent_name,
                s.state.as_str(),
                secs / 60,
                secs % 60,
                s.id
            );
            println!(
                "    that desk follows it; to follow it here instead: likeness session take-over --id {}",
                s.id
            );
        }
    }

    /// A session this desk took over from `from`.
    pub fn taken_over(&self, s: &LivenessSession, from: &str) {
        if self.json {
            let mut j = Self::session_json(s);
            j["takenOverFrom"] = json!(from);
            self.result(j);
        } else {
            println!(
                "This desk now follows {}'s session {} (it was {from}'s).",
                s.talent_name, s.id
            );
            println!("    {}", next_step(s));
        }
    }

    /// A video job: its id, where it stands, what it costs, its file or its problem.
    pub fn job(&self, j: &likeness::video::VideoJob) {
        if self.json {
            self.result(job_json(j));
            return;
        }
        println!("job       {}", j.id);
        println!("state     {}", j.state.label());
        println!("provider  {}", j.provider);
        match &j.face_name {
            Some(n) => println!("face      {} ({n})", j.face_asset_id),
            None => println!("face      {}", j.face_asset_id),
        }
        println!(
            "video     {} · {} s · {} · {}",
            j.model, j.duration_seconds, j.resolution, j.aspect_ratio
        );
        if let Some(p) = &j.price_usd {
            println!("price     ${p}");
        }
        let secs = j.elapsed_ms / 1000;
        println!("elapsed   {}:{:02}", secs / 60, secs % 60);
        if let Some(n) = &j.charge_note {
            println!("cost      {n}");
        }
        if let Some(p) = &j.local_path {
            println!("file      {p}");
        }
        if let Some(e) = &j.error {
            println!("problem   {e}");
        }
        if j.state.at_provider() || j.state == likeness::video::JobState::Downloading {
            println!(
                "next      `likeness video wait --id {} --out DIR` follows it to the end and saves the video",
                j.id
            );
        }
    }

    /// A job changed while `video wait` follows it.
    pub fn job_progress(&self, j: &likeness::video::VideoJob) {
        if self.json {
            self.event("job_updated", job_json(j));
        } else {
            let progress = j.progress.map(|p| format!(" ({p}%)")).unwrap_or_default();
            println!("{}: {}{progress}", j.id, j.state.label());
        }
    }

    /// The wallet's address and link; `headline` is for humans only.
    pub fn wallet(&self, info: &WalletInfo, headline: &str) {
        if self.json {
            self.result(json!(info));
        } else {
            println!("{headline}");
            println!("address   {}", info.address);
            println!("basescan  {}", info.explorer_url);
        }
    }

    /// The exported key. For humans it is stdout's only line (so `> file` captures just the key)
    /// and the warning goes to stderr.
    pub fn wallet_key(&self, info: &WalletInfo, key: &Secret) {
        if self.json {
            self.result(json!({
                "address": info.address,
                "explorerUrl": info.explorer_url,
                "privateKey": key.expose(),
            }));
        } else {
            eprintln!(
                "The private key of the studio wallet {} follows. Anyone who has it can spend the \
                 wallet's funds: keep it offline and out of shell history.",
                info.address
            );
            println!("{}", key.expose());
        }
    }

    /// `deleted` is false when there was no wallet to delete; `info` is `None` for an unreadable
    /// key or no wallet.
    pub fn wallet_deleted(&self, info: Option<&WalletInfo>, deleted: bool) {
        if self.json {
            self.result(json!({
                "deleted": deleted,
                "address": info.map(|i| &i.address),
            }));
        } else if !deleted {
            println!("There is no studio wallet; nothing was deleted.");
        } else if let Some(i) = info {
            println!("Deleted the studio wallet {}.", i.address);
        } else {
            println!("Deleted the unreadable studio wallet key.");
        }
    }
}

fn job_json(j: &likeness::video::VideoJob) -> Value {
    let mut v = json!(j);
    v["createdAt"] = json!(rfc3339(j.created_at_ms));
    v["completedAt"] = json!(j.completed_at_ms.map(rfc3339));
    v
}

fn face_json(f: &Face) -> Value {
    json!({
        "assetId": f.asset_id,
        "name": f.name,
        "provider": f.provider,
        "kind": f.kind,
        "imageUrl": f.image_url,
        "groupId": f.group_id,
        "enrolledAt": rfc3339(f.enrolled_at_ms),
        "priceUsd": f.price_usd,
        "txHash": f.tx_hash,
        "assetType": f.asset_type,
        "status": f.status,
        "statusMessage": f.status_message,
        "photoOverride": f.photo_override,
        "consent": f.consent,
        "revoked": f.revoked,
        "tags": f.tags,
    })
}

/// What `faces` says after a row whose consent stops it, or that has none on record.
fn consent_note(f: &Face, now_ms: i64) -> &'static str {
    let summary = likeness::library::FaceSummary::from(f);
    if f.revoked.is_some() {
        "  REVOKED"
    } else if summary.withdrawn(now_ms) {
        "  RELEASE ENDED"
    } else if f.consent.is_none() && f.kind != likeness::library::FaceKind::Portrait {
        "  consent not recorded"
    } else {
        ""
    }
}

fn plain_state(state: likeness::flow::SessionState) -> &'static str {
    use likeness::flow::SessionState as S;
    match state {
        S::AwaitingConsent => "Waiting for the talent to agree to the release.",
        S::Consented => "The talent agreed; the QR is next.",
        S::AwaitingScan => "Waiting for the talent to finish on their phone.",
        S::Expired => "The QR expired before the talent finished.",
        S::Verified => "The talent finished the phone check.",
        S::AwaitingPayment => "Waiting for the operator to confirm the price.",
        S::Enrolling => "Enrolling…",
        S::Enrolled => "Enrolled.",
        S::Cancelled => "Cancelled.",
    }
}

/// Where an open session stands and the command that moves it on, for `likeness sessions`
/// (after a crash this is how the operator finds the way back in).
fn next_step(s: &LivenessSession) -> String {
    use likeness::flow::SessionState as S;
    let id = &s.id;
    let url = if s.image_url.is_empty() {
        "URL"
    } else {
        &s.image_url
    };
    let enroll = format!(
        "likeness enroll --session {id} --name \"{}\" --image {url}",
        s.talent_name
    );
    match s.state {
        S::AwaitingConsent => format!(
            "Waiting for {} to agree to the release (`likeness release show`). When they have typed their name, run `likeness session consent --id {id} --typed-name \"<their name>\"`.",
            s.talent_name
        ),
        S::Consented => format!(
            "The talent agreed, but the QR was not issued. Run `likeness session refresh --id {id}` for it."
        ),
        S::AwaitingScan => format!(
            "Waiting for the talent to finish on their phone (the QR expires at {}). When they have, run `likeness session status --id {id}`; once it has expired, `likeness session refresh --id {id}` gives a fresh QR.",
            rfc3339(s.expires_at_ms)
        ),
        S::Expired => format!(
            "The QR expired before the talent finished. Run `likeness session refresh --id {id}` for a fresh QR in the same session."
        ),
        S::Verified => format!(
            "The talent finished the phone check. Run `{enroll}` to see the price and enroll."
        ),
        S::AwaitingPayment => format!(
            "A price was shown and not confirmed; nothing was signed. Run `{enroll}` to see the price again."
        ),
        S::Enrolling => format!(
            "The enrollment was interrupted before its answer arrived. Run `{enroll}` to finish it: a payment already signed is re-sent, so it cannot be charged twice."
        ),
        S::Enrolled | S::Cancelled => plain_state(s.state).into(),
    }
}
