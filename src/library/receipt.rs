//! A face's consent record as a printable page: self-contained HTML (inline CSS, no scripts,
//! nothing loaded from anywhere, A4 when printed), every value escaped. Links (the photo, the
//! Basescan transaction) are printed as text, never fetched or followed.

mod pdf;
mod tz;

pub use pdf::{page_count as pdf_page_count, receipts_pdf};

use std::fmt::Write;

use super::consent::{
    split_liveness_ref, ConsentPayment, NO_CONSENT_RECORD, NO_CONSENT_RECORD_YET,
};
use super::{usdc_decimal, Face, FaceKind, Library, PaymentRecord};
use crate::error::{Error, Result};
use crate::media::AssetType;

/// What a receipt is made from.
pub struct ReceiptInput<'a> {
    pub face: &'a Face,
    /// The x402 ledger row that paid, when the record names one.
    pub payment: Option<&'a PaymentRecord>,
    /// When the liveness link the person completed was issued: their check was within its
    /// lifetime (two minutes). Falls back to the record's own time.
    pub liveness_at_ms: Option<i64>,
    /// The studio's offset east of UTC, in seconds, at an instant (epoch ms); `None` when this
    /// machine's zone cannot be read.
    pub local_offset: &'a dyn Fn(i64) -> Option<i32>,
    /// Now, to say whether the release has ended.
    pub now_ms: i64,
}

impl Library {
    /// The consent record of a filed face or asset as a printable HTML page.
    pub fn consent_receipt(&self, asset_id: &str) -> Result<String> {
        let face = self.face(asset_id)?;
        let (payment, liveness_at_ms) = self.receipt_parts(&face)?;
        Ok(render_receipt(&ReceiptInput {
            face: &face,
            payment: payment.as_ref(),
            liveness_at_ms,
            local_offset: &local_offset,
            now_ms: crate::clock::Clock::new().now_ms(),
        }))
    }

    /// The consent record of a filed face or asset as a PDF (A4, one record per page run).
    pub fn consent_receipt_pdf(&self, asset_id: &str) -> Result<Vec<u8>> {
        let face = self.face(asset_id)?;
        self.receipts_pdf_of(std::slice::from_ref(&face))
    }

    /// The consent records of every face and asset enrolled on `day` (`YYYY-MM-DD`, this
    /// machine's local day), oldest first, in one PDF; and how many records it holds. A day
    /// with none is an error that says so, rather than an empty file.
    pub fn day_receipts_pdf(&self, day: &str) -> Result<(Vec<u8>, usize)> {
        let (from, to) = local_day_bounds(day)?;
        let mut faces: Vec<Face> = self
            .faces()?
            .into_iter()
            .filter(|f| (from..to).contains(&f.enrolled_at_ms))
            .collect();
        if faces.is_empty() {
            return Err(Error::NotFound(format!(
                "No face was enrolled on {day} (this machine's local day). Run `likeness faces` to see the dates."
            )));
        }
        faces.reverse();
        Ok((self.receipts_pdf_of(&faces)?, faces.len()))
    }

    fn receipts_pdf_of(&self, faces: &[Face]) -> Result<Vec<u8>> {
        let parts = faces
            .iter()
            .map(|f| self.receipt_parts(f))
            .collect::<Result<Vec<_>>>()?;
        let now_ms = crate::clock::Clock::new().now_ms();
        let inputs: Vec<ReceiptInput<'_>> = faces
            .iter()
            .zip(&parts)
            .map(|(face, (payment, liveness_at_ms))| ReceiptInput {
                face,
                payment: payment.as_ref(),
                liveness_at_ms: *liveness_at_ms,
                local_offset: &local_offset,
                now_ms,
            })
            .collect();
        Ok(receipts_pdf(&inputs))
    }

    /// The ledger row that paid and when the liveness link was issued, as a receipt shows them.
    fn receipt_parts(&self, face: &Face) -> Result<(Option<PaymentRecord>, Option<i64>)> {
        let consent = face.consent.as_ref();
        let payment = match consent.and_then(|c| c.payment.as_ref()) {
            Some(ConsentPayment::X402 { ledger_id, .. }) => {
                self.payments()?.into_iter().find(|p| &p.id == ledger_id)
            }
            _ => None,
        };
        let liveness_at_ms = consent
            .and_then(|c| c.liveness_ref.as_deref())
            .and_then(|r| split_liveness_ref(r).0)
            .and_then(|id| self.session(id).ok())
            .map(|s| s.link_issued_at_ms);
        Ok((payment, liveness_at_ms))
    }
}

fn local_offset(ms: i64) -> Option<i32> {
    tz::local_offset_s(ms.div_euclid(1000))
}

/// `[start, end)` in epoch ms of a `YYYY-MM-DD` day on this machine's clock (UTC where the
/// zone cannot be read).
fn local_day_bounds(day: &str) -> Result<(i64, i64)> {
    let bad = || {
        Error::invalid(
            "day",
            format!("{day:?} is not a day; give it as YYYY-MM-DD, like 2026-12-07."),
        )
    };
    let midnight_utc =
        crate::clock::parse_rfc3339(&format!("{}T00:00:00Z", day.trim())).ok_or_else(bad)?;
    // The offset at the day's noon: right on every day but those a clock change splits.
    let offset_ms = local_offset(midnight_utc + 12 * 3_600_000).unwrap_or(0) as i64 * 1000;
    let start = midnight_utc - offset_ms;
    Ok((start, start + 86_400_000))
}

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// (`2 July 2026`, `14:03:11`) of an instant shifted by `offset_s`.
fn date_time(ms: i64, offset_s: i32) -> (String, String) {
    let secs = ms.div_euclid(1000) + offset_s as i64;
    let (y, m, d) = crate::clock::civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    (
        format!("{d} {} {y}", MONTHS[(m - 1) as usize]),
        format!("{:02}:{:02}:{:02}", sod / 3600, (sod % 3600) / 60, sod % 60),
    )
}

fn offset_text(offset_s: i32) -> String {
    let sign = if offset_s < 0 { '-' } else { '+' };
    let a = offset_s.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

/// "2 July 2026, 14:03:11 UTC (16:03:11 local time, UTC+02:00)".
fn when(ms: i64, local_offset: &dyn Fn(i64) -> Option<i32>) -> String {
    let (date, time) = date_time(ms, 0);
    let local = match local_offset(ms) {
        None => "local time unknown on this machine".to_string(),
        Some(off) => {
            let (ldate, ltime) = date_time(ms, off);
            if ldate == date {
                format!("{ltime} local time, {}", offset_text(off))
            } else {
                format!("{ltime} on {ldate} local time, {}", offset_text(off))
            }
        }
    };
    format!("{date}, {time} UTC ({local})")
}

fn file_noun(t: AssetType) -> &'static str {
    match t {
        AssetType::Image => "photo",
        AssetType::Video => "video",
        AssetType::Audio => "voice clip",
    }
}

fn basescan_tx(network: &str, tx: &str) -> String {
    let host = if network.to_ascii_lowercase().contains("sepolia") {
        "sepolia.basescan.org"
    } else {
        "basescan.org"
    };
    format!("https://{host}/tx/{tx}")
}

const STYLE: &str = "
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
html { background: #fff; }
body { font: 10.5pt/1.4 Georgia, 'Times New Roman', serif; color: #111; margin: 0 auto; max-width: 178mm; padding: 12mm 4mm; }
h1 { font-size: 18pt; margin: 0 0 1mm; }
.sub { color: #333; margin: 0 0 6mm; font-size: 12pt; }
table { width: 100%; border-collapse: collapse; margin: 0 0 7mm; }
th, td { text-align: left; vertical-align: top; padding: 1.4mm 2.5mm; border-bottom: 0.3mm solid #bbb; }
th { width: 40mm; font-weight: bold; color: #333; }
.mono { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 9pt; word-break: break-all; }
.statement { border: 0.4mm solid #111; padding: 4mm; margin: 0 0 8mm; page-break-inside: avoid; }
.sign { display: flex; gap: 8mm; margin-top: 14mm; page-break-inside: avoid; }
.sign div { flex: 1; border-top: 0.3mm solid #111; padding-top: 1.5mm; font-size: 9.5pt; }
.withdrawn { border: 0.6mm solid #a00; color: #a00; font-weight: bold; padding: 2mm 3mm; margin: 0 0 5mm; }
h2 { font-size: 12pt; margin: 0 0 2mm; }
.release { border: 0.3mm solid #555; padding: 3mm 4mm; margin: 0 0 6mm; page-break-inside: avoid; }
.note { color: #555; font-size: 8.5pt; margin-top: 6mm; }
@media print { body { padding: 0; max-width: none; } }
";

/// What a receipt says, whatever it is printed as (the HTML page, the PDF).
pub(super) struct Sheet {
    pub name: String,
    pub asset_id: String,
    pub kind: String,
    pub rows: Vec<(&'static str, String, bool)>,
    pub statement: String,
    /// The release text exactly as the talent was shown it.
    pub release_text: Option<String>,
    /// Revoked, or its release has ended: said at the top, above everything.
    pub withdrawn: Option<String>,
    /// The operator's name (empty when none was set), when a signature is asked for.
    pub signer: Option<String>,
    pub noun: &'static str,
}

/// The page. Pure: the same input gives the same page.
pub fn render_receipt(r: &ReceiptInput<'_>) -> String {
    html(&sheet(r))
}

pub(super) fn sheet(r: &ReceiptInput<'_>) -> Sheet {
    let f = r.face;
    let consent = f.consent.as_ref();
    let noun = file_noun(f.asset_type);
    let kind = match f.kind {
        FaceKind::RealFace => "Real person, verified with a live face check".to_string(),
        FaceKind::Portrait => "AI character (virtual portrait), no live face check".to_string(),
        FaceKind::Asset => {
            format!("BytePlus asset ({noun}) of a person verified with a live face check")
        }
    };
    let mut rows: Vec<(&'static str, String, bool)> = vec![
        ("Talent", f.name.clone(), false),
        ("Kind", kind.clone(), false),
        ("Provider", f.provider.label().to_string(), false),
        ("Asset id", f.asset_id.clone(), true),
    ];
    if let Some(g) = f.group_id.as_deref().filter(|g| !g.is_empty()) {
        rows.push(("Group", g.to_string(), true));
    }
    let statement = match consent {
        None => {
            rows.push(("Enrolled", when(f.enrolled_at_ms, r.local_offset), false));
            rows.push((
                if f.asset_type == AssetType::Image {
                    "Photo"
                } else {
                    "File"
                },
                f.image_url.clone(),
                true,
            ));
            let none = if f.thumbnail.is_some() {
                NO_CONSENT_RECORD_YET
            } else {
                NO_CONSENT_RECORD
            };
            rows.push(("Consent record", none.to_string(), false));
            none.to_string()
        }
        Some(c) => {
            let liveness = match (&c.liveness_ref, f.kind) {
                (_, FaceKind::Portrait) => super::NO_LIVENESS.to_string(),
                (Some(l), _) => l.clone(),
                (None, _) => "None recorded in this studio".to_string(),
            };
            rows.push(("Liveness session", liveness, true));
            rows.push(("Enrolled", when(c.recorded_at_ms, r.local_offset), false));
            rows.push((
                "Operator",
                if c.operator.trim().is_empty() {
                    "Not recorded (no operator name was set in Settings)".to_string()
                } else {
                    c.operator.clone()
                },
                false,
            ));
            let (link_label, sha_label) = if f.asset_type == AssetType::Image {
                ("Photo", "Photo sha256")
            } else {
                ("File", "File sha256")
            };
            rows.push((link_label, f.image_url.clone(), true));
            rows.push((
                sha_label,
                c.file_sha256
                    .clone()
                    .unwrap_or_else(|| "Not recorded".to_string()),
                true,
            ));
            if let Some(at) = c.hosted_copy_deleted_at_ms {
                rows.push((
                    "Hosted copy deleted",
                    format!(
                        "{} — the copy uploaded for the provider to fetch was deleted once it answered",
                        when(at, r.local_offset)
                    ),
                    false,
                ));
            }
            if f.asset_type == AssetType::Image {
                rows.push((
                    "Overridden photo checks",
                    match f.photo_override.as_deref().filter(|o| !o.is_empty()) {
                        Some(o) => format!(
                            "{} — the operator chose to use this photo although {} failed",
                            o.replace(',', ", "),
                            if o.contains(',') {
                                "these checks"
                            } else {
                                "this check"
                            }
                        ),
                        None => "None".to_string(),
                    },
                    false,
                ));
            }
            push_payment(&mut rows, f, c.payment.as_ref(), r.payment);
            match (f.kind, &c.liveness_ref) {
                (FaceKind::Portrait, _) => "No liveness: AI-generated character.".to_string(),
                (_, Some(l)) => {
                    let (date, _) = date_time(r.liveness_at_ms.unwrap_or(c.recorded_at_ms), 0);
                    let mut s = format!(
                        "The person named above completed a live face check on their own phone on {date} (UTC), in liveness session {l}."
                    );
                    if f.kind == FaceKind::Asset {
                        let _ = write!(
                            s,
                            " This {noun} was added to their group at {provider} on {at}.",
                            provider = f.provider.label(),
                            at = date_time(c.recorded_at_ms, 0).0
                        );
                    }
                    s
                }
                (_, None) => {
                    "No live face check for this person's group is recorded in this studio."
                        .to_string()
                }
            }
        }
    };
    let release = f.release();
    match (release, f.kind, consent) {
        (Some(c), ..) => {
            rows.push((
                "Release",
                format!(
                    "Version {}, read and agreed to by the talent on their own screen",
                    c.template_version
                ),
                false,
            ));
            rows.push(("Typed name", c.typed_name.clone(), false));
            rows.push(("Agreed", when(c.agreed_at_ms, r.local_offset), false));
            let ends = date_time(c.ends_at_ms, 0).0;
            rows.push((
                "Release ends",
                if r.now_ms >= c.ends_at_ms {
                    format!("{ends} (UTC) — ended")
                } else {
                    format!("{ends} (UTC)")
                },
                false,
            ));
            rows.push(("Release sha256", c.release_sha256.clone(), true));
        }
        (None, FaceKind::Portrait, _) => {}
        (None, _, Some(_)) => rows.push((
            "Release",
            "Not recorded: enrolled before the talent's release was kept".to_string(),
            false,
        )),
        (None, _, None) => {}
    }
    if let Some(v) = &f.revoked {
        rows.push((
            "Revoked",
            format!(
                "{}{}",
                when(v.at_ms, r.local_offset),
                if v.reason.trim().is_empty() {
                    String::new()
                } else {
                    format!(" — {}", v.reason.trim())
                }
            ),
            false,
        ));
    }
    let withdrawn = match (&f.revoked, release) {
        (Some(v), _) => Some(format!(
            "REVOKED on {} (UTC): no new video of this face may be made.",
            date_time(v.at_ms, 0).0
        )),
        (None, Some(c)) if r.now_ms >= c.ends_at_ms => Some(format!(
            "RELEASE ENDED on {} (UTC): no new video of this face may be made.",
            date_time(c.ends_at_ms, 0).0
        )),
        _ => None,
    };
    Sheet {
        name: f.name.clone(),
        asset_id: f.asset_id.clone(),
        kind,
        rows,
        statement,
        release_text: release.map(|c| c.release_text.clone()),
        withdrawn,
        signer: consent.map(|c| c.operator.trim().to_string()),
        noun,
    }
}

fn html(s: &Sheet) -> String {
    let mut h = String::with_capacity(8 * 1024);
    h.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    // Belt and braces: even a value that escaped escaping could load nothing and run nothing.
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
    let _ = writeln!(
        h,
        "<title>Consent record — {} — {}</title>",
        esc(&s.name),
        esc(&s.asset_id)
    );
    let _ = writeln!(h, "<style>{STYLE}</style>\n</head>\n<body>");
    h.push_str("<h1>Likeness Studio — consent record</h1>\n");
    let _ = writeln!(
        h,
        "<p class=\"sub\">{} · {}</p>",
        esc(&s.name),
        esc(&s.kind)
    );
    if let Some(w) = &s.withdrawn {
        let _ = writeln!(h, "<p class=\"withdrawn\">{}</p>", esc(w));
    }
    h.push_str("<table>\n");
    for (label, value, mono) in &s.rows {
        let class = if *mono { " class=\"mono\"" } else { "" };
        let value = esc(value).replace('\n', "<br>");
        let _ = writeln!(h, "<tr><th>{}</th><td{class}>{value}</td></tr>", esc(label));
    }
    h.push_str("</table>\n");
    let _ = writeln!(h, "<p class=\"statement\">{}</p>", esc(&s.statement));
    if let Some(text) = &s.release_text {
        let _ = writeln!(
            h,
            "<h2>Release text as the talent was shown it</h2>\n<p class=\"release\">{}</p>",
            esc(text).replace('\n', "<br>")
        );
    }
    if let Some(operator) = &s.signer {
        let operator = esc(operator);
        let _ = writeln!(
            h,
            "<div class=\"sign\"><div>Operator: {operator}</div><div>Signature of the operator</div><div>Date</div></div>"
        );
    }
    let _ = writeln!(
        h,
        "<p class=\"note\">The sha256 identifies the exact {} bytes the studio downloaded and checked: any copy with the same sha256 is the same file. Links are printed for reference only.</p>",
        s.noun
    );
    h.push_str("</body>\n</html>\n");
    h
}

fn push_payment(
    rows: &mut Vec<(&str, String, bool)>,
    f: &Face,
    payment: Option<&ConsentPayment>,
    ledger: Option<&PaymentRecord>,
) {
    match payment {
        None => rows.push(("Payment", "Not recorded".to_string(), false)),
        Some(ConsentPayment::Account { provider }) => rows.push((
            "Payment",
            format!(
                "API key ({0}) account: billed to the studio's account with {0}. The key itself is never recorded.",
                provider.label()
            ),
            false,
        )),
        Some(ConsentPayment::X402 { ledger_id, tx_hash }) => {
            let amount = match (ledger, &f.price_usd) {
                (Some(p), _) => format!(
                    "{} USDC on {} (x402, from the studio wallet)",
                    usdc_decimal(&p.amount_atomic),
                    p.network
                ),
                (None, Some(usd)) => format!("{usd} USD (x402, from the studio wallet)"),
                (None, None) => "x402, from the studio wallet".to_string(),
            };
            rows.push(("Payment", amount, false));
            let tx = tx_hash
                .clone()
                .or_else(|| ledger.and_then(|p| p.settlement_tx.clone()));
            match tx {
                Some(tx) => {
                    let network = ledger.map(|p| p.network.as_str()).unwrap_or("Base");
                    rows.push(("Transaction", tx.clone(), true));
                    rows.push(("Basescan", basescan_tx(network, &tx), true));
                }
                None => rows.push((
                    "Transaction",
                    "Not given by the provider".to_string(),
                    false,
                )),
            }
            rows.push(("Payment ledger", ledger_id.clone(), true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::{ConsentRecord, PaymentStatus};
    use crate::providers::{AssetStatus, ProviderKind};

    fn face(kind: FaceKind, consent: Option<ConsentRecord>) -> Face {
        Face {
            asset_id: "ta_0123".into(),
            provider: ProviderKind::Rehearsal,
            kind,
            name: "Ada <script>alert('x')</script> & \"Co\"".into(),
            image_url: "https://photos.example/ada.jpg?a=1&b=<2>".into(),
            thumbnail: None,
            group_id: Some("legacy_rf_1".into()),
            enrolled_at_ms: 1_782_993_791_000,
            price_usd: Some("0.010000".into()),
            tx_hash: Some("0xfeed".into()),
            photo_override: Some("face_count,sharpness".into()),
            asset_type: AssetType::Image,
            status: AssetStatus::Active,
            status_message: None,
            consent,
            revoked: None,
            tags: Vec::new(),
        }
    }

    fn record(payment: ConsentPayment, liveness: Option<&str>) -> ConsentRecord {
        ConsentRecord {
            operator: "Grace <b>H</b>".into(),
            // 2026-07-02T11:23:11Z
            recorded_at_ms: 1_782_991_391_000,
            liveness_ref: liveness.map(str::to_string),
            file_sha256: Some("ab".repeat(32)),
            payment: Some(payment),
            hosted_copy_deleted_at_ms: None,
            release: None,
        }
    }

    fn ledger() -> PaymentRecord {
        PaymentRecord {
            id: "pay_77".into(),
            provider: ProviderKind::Rehearsal,
            purpose: "realface:ses_1".into(),
            amount_atomic: "10000".into(),
            payee: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C".into(),
            network: "Base Sepolia (testnet)".into(),
            asset_contract: "0x036CbD53842c5426634e7929541eC2318f3dCF7e".into(),
            nonce: "0x01".into(),
            header_name: "PAYMENT-SIGNATURE".into(),
            header_value: "signed".into(),
            status: PaymentStatus::Settled,
            settlement_tx: Some("0xfeed".into()),
            asset_id: Some("ta_0123".into()),
            created_at_ms: 0,
            updated_at_ms: 0,
            operator: "Grace".into(),
        }
    }

    fn render(face: &Face, payment: Option<&PaymentRecord>, offset: Option<i32>) -> String {
        render_receipt(&ReceiptInput {
            face,
            payment,
            liveness_at_ms: None,
            local_offset: &move |_| offset,
            now_ms: 0,
        })
    }

    #[test]
    fn a_real_face_receipt_has_everything_escaped_and_loads_nothing() {
        let p = ConsentPayment::X402 {
            ledger_id: "pay_77".into(),
            tx_hash: Some("0xfeed".into()),
        };
        let f = face(
            FaceKind::RealFace,
            Some(record(p, Some("ses_1 / group legacy_rf_1"))),
        );
        let l = ledger();
        let html = render(&f, Some(&l), Some(7200));
        assert!(html.contains("Likeness Studio — consent record"));
        assert!(!html.contains("<script"), "{html}");
        assert!(html
            .contains("Ada &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;"));
        assert!(html.contains("Grace &lt;b&gt;H&lt;/b&gt;"));
        assert!(html.contains("https://photos.example/ada.jpg?a=1&amp;b=&lt;2&gt;"));
        assert!(html.contains(&"ab".repeat(32)));
        assert!(html.contains("0.010000 USDC on Base Sepolia (testnet)"));
        assert!(html.contains("https://sepolia.basescan.org/tx/0xfeed"));
        assert!(html.contains("pay_77"));
        assert!(html.contains("ses_1 / group legacy_rf_1"));
        assert!(html.contains("2 July 2026, 11:23:11 UTC (13:23:11 local time, UTC+02:00)"));
        assert!(html.contains(
            "The person named above completed a live face check on their own phone on 2 July 2026"
        ));
        assert!(html.contains("face_count, sharpness — the operator chose to use this photo"));
        assert!(html.contains("Signature of the operator"));
        for banned in [
            "src=", "href=", "url(", "@import", "<link", "<img", "<iframe", "<object",
        ] {
            assert!(!html.contains(banned), "{banned} in {html}");
        }
    }

    #[test]
    fn a_portrait_says_no_liveness_and_the_key_rail_never_shows_a_key() {
        let p = ConsentPayment::Account {
            provider: ProviderKind::BlockRun,
        };
        let mut f = face(FaceKind::Portrait, Some(record(p, None)));
        f.photo_override = None;
        f.tx_hash = None;
        let html = render(&f, None, None);
        assert!(html.contains("No liveness: AI-generated character."));
        assert!(html.contains("AI character — no liveness"));
        assert!(html.contains("API key (BlockRun) account"));
        assert!(html.contains("local time unknown on this machine"));
        assert!(html.contains("<th>Overridden photo checks</th><td>None</td>"));
        assert!(!html.contains("live face check on their own phone"));
    }

    #[test]
    fn a_synced_face_says_it_has_no_record_and_asks_for_no_signature() {
        let f = face(FaceKind::RealFace, None);
        let html = render(&f, None, Some(-4 * 3600));
        assert!(html.contains(NO_CONSENT_RECORD), "{html}");
        assert!(!html.to_lowercase().contains("signature"));
        // Enrolled 2026-07-02T12:03:11Z, seen from UTC−04:00.
        assert!(html.contains("(08:03:11 local time, UTC-04:00)"), "{html}");
        let mut mine = f.clone();
        mine.thumbnail = Some("data:image/jpeg;base64,AA==".into());
        assert!(render(&mine, None, None).contains(NO_CONSENT_RECORD_YET));
    }

    #[test]
    fn local_time_shows_another_day_when_it_is_one() {
        // 2026-07-02T23:30:00Z in Sydney (UTC+10:00) is the 3rd.
        let ms = 1_783_035_000_000;
        assert_eq!(
            when(ms, &|_| Some(36_000)),
            "2 July 2026, 23:30:00 UTC (09:30:00 on 3 July 2026 local time, UTC+10:00)"
        );
        assert_eq!(offset_text(19_800), "UTC+05:30");
        assert_eq!(offset_text(-12_600), "UTC-03:30");
    }
}
