//! The talent's consent from the terminal: the release (`likeness release`), the talent's own
//! agreement to it (`session consent`, or `--talent-agrees` on `session start` and
//! `enroll-flow`), and a face's record afterwards: `faces receipt` (HTML or PDF, one face or a
//! day's), `faces revoke`, and what producers call and label it: `faces rename` and
//! `faces tag`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Subcommand;
use likeness::clock::Clock;
use likeness::error::{Error, Result};
use likeness::flow::{SessionView, Studio};
use likeness::library::ReleaseTemplate;

use super::output::Output;
use super::{library, receipt_file_name, Global};

#[derive(Subcommand)]
pub enum FacesCommand {
    /// Write a face's consent record as a printable HTML page (or, with --pdf, a PDF) and print
    /// where it went. With --day, every face enrolled that day in one PDF.
    Receipt {
        #[arg(long, value_name = "ID", required_unless_present = "day")]
        id: Option<String>,
        /// Where to write the HTML page (default: `<id>-consent.html` in the current folder).
        #[arg(long, value_name = "FILE", conflicts_with = "pdf")]
        out: Option<PathBuf>,
        /// Write a PDF here instead of the HTML page.
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
        /// Every face enrolled on this day (YYYY-MM-DD, this machine's local day), in one PDF.
        #[arg(
            long,
            value_name = "YYYY-MM-DD",
            conflicts_with = "id",
            requires = "pdf"
        )]
        day: Option<String>,
    },
    /// Withdraw a face from use: no new video of it is made. Kept in its record, never undone.
    Revoke {
        #[arg(long, value_name = "ID")]
        id: String,
        /// Why, in plain words (kept in the record).
        #[arg(long, value_name = "TEXT", default_value = "")]
        reason: String,
    },
    /// Rename a face in the library (and every file of its person). Providers keep the name
    /// they were given; the consent record keeps the name the talent typed.
    Rename {
        #[arg(long, value_name = "ID")]
        id: String,
        #[arg(long, value_name = "NAME")]
        name: String,
    },
    /// Set a face's tags or projects (and its person's), replacing the ones it had. Repeat
    /// --tag for each; none clears them. At most 12, each up to 40 characters.
    Tag {
        #[arg(long, value_name = "ID")]
        id: String,
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum ReleaseCommand {
    /// Print the release in force: its version, its exact text and the text's sha256.
    Show,
    /// Save a new version of the release (what is not given stays as it is). Records made under
    /// earlier versions keep their own text.
    Set {
        #[arg(long, value_name = "TEXT")]
        production: Option<String>,
        #[arg(long, value_name = "TEXT")]
        uses: Option<String>,
        /// How long it runs from the day the talent agrees.
        #[arg(long, value_name = "MONTHS")]
        term_months: Option<u32>,
        #[arg(long, value_name = "TEXT")]
        territory: Option<String>,
        #[arg(long, value_name = "TEXT")]
        free_text: Option<String>,
    },
}

pub fn faces(g: &Global, out: &Output, cmd: FacesCommand) -> Result<()> {
    let library = library::open(g)?;
    match cmd {
        FacesCommand::Receipt {
            day: Some(day),
            pdf: Some(path),
            ..
        } => {
            let (bytes, records) = library.day_receipts_pdf(&day)?;
            write(&path, &bytes)?;
            out.pdf_written(&path, records, &bytes);
            Ok(())
        }
        FacesCommand::Receipt {
            id: Some(id),
            pdf: Some(path),
            ..
        } => {
            let bytes = library.consent_receipt_pdf(id.trim())?;
            write(&path, &bytes)?;
            out.pdf_written(&path, 1, &bytes);
            Ok(())
        }
        FacesCommand::Receipt {
            id: Some(id),
            out: path,
            ..
        } => {
            let html = library.consent_receipt(id.trim())?;
            let path = path.unwrap_or_else(|| PathBuf::from(receipt_file_name(id.trim())));
            write(&path, html.as_bytes())?;
            out.receipt_written(id.trim(), &path);
            Ok(())
        }
        FacesCommand::Receipt { .. } => Err(Error::invalid(
            "id",
            "Give the face (--id ID), or a day with --day YYYY-MM-DD --pdf FILE.",
        )),
        FacesCommand::Revoke { id, reason } => {
            let face = library.revoke_face(id.trim(), &reason, Clock::new().now_ms())?;
            out.revoked(&face);
            Ok(())
        }
        FacesCommand::Rename { id, name } => {
            out.labelled(&library.rename_face(id.trim(), &name)?);
            Ok(())
        }
        FacesCommand::Tag { id, tags } => {
            out.labelled(&library.set_face_tags(id.trim(), &tags)?);
            Ok(())
        }
    }
}

pub fn release(g: &Global, out: &Output, cmd: ReleaseCommand) -> Result<()> {
    let library = library::open(g)?;
    let current = library.release_template()?;
    let shown = match cmd {
        ReleaseCommand::Show => current,
        ReleaseCommand::Set {
            production,
            uses,
            term_months,
            territory,
            free_text,
        } => {
            let draft = ReleaseTemplate {
                production: production.unwrap_or(current.production.clone()),
                uses: uses.unwrap_or(current.uses.clone()),
                term_months: term_months.unwrap_or(current.term_months),
                territory: territory.unwrap_or(current.territory.clone()),
                free_text: free_text.unwrap_or(current.free_text.clone()),
                ..current
            };
            library.save_release_template(&draft, Clock::new().now_ms())?
        }
    };
    out.release(&shown);
    Ok(())
}

/// The talent's agreement typed at this terminal: to the release whose sha256 is given, else
/// to the one in force (the text the session's output printed).
pub async fn agree(
    studio: &Arc<Studio>,
    id: &str,
    typed_name: &str,
    release_sha256: Option<&str>,
) -> Result<SessionView> {
    let sha = match release_sha256 {
        Some(s) => s.to_string(),
        None => likeness::library::sha256_hex(&studio.library().release_template()?.text()),
    };
    studio.give_consent(id, typed_name, &sha).await
}

fn write(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes)
        .map_err(|e| Error::Storage(format!("could not write {}: {e}", path.display())))
}
