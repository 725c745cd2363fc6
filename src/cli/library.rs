//! `likeness caps` and `likeness library migrate`: the studio's caps and moving a desk's file
//! into the shared database. Where the library lives (`--database-url`, the data folder) is
//! decided once here for every command.

use clap::{Args, Subcommand};
use likeness::error::{Error, Result};
use likeness::library::{usdc_decimal, Library, FILE_NAME};
use likeness::settings::usd_to_atomic;
use likeness::spend::SpendCaps;
use likeness::video::tidy_usd;
use serde_json::json;

use super::output::Output;
use super::{data_dir, settings, Global};

/// The password for a database address without one (the app keeps it in the keychain).
pub const PASSWORD_ENV: &str = "LIKENESS_DATABASE_PASSWORD";

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CapsArgs {
    #[command(subcommand)]
    action: Option<CapsCommand>,
}

#[derive(Subcommand)]
enum CapsCommand {
    /// Set the caps every desk on the shared database pays under (needs --database-url).
    Set {
        /// The most all desks together may pay in a day, in dollars.
        #[arg(long, value_name = "USD")]
        daily_usd: Option<String>,
        /// The most one payment may cost, in dollars.
        #[arg(long, value_name = "USD")]
        per_payment_usd: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum LibraryCommand {
    /// Copy this desk's library (faces, consent records, payments, video jobs, open sessions)
    /// into the studio's shared database, keeping ids. Run it again and it copies nothing.
    Migrate {
        /// The shared database: postgres://user@host:5432/studio.
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

/// The library this run uses: the shared database when an address is given, else the
/// desk's file in the data folder.
pub fn open(g: &Global) -> Result<Library> {
    match g.database_url.as_deref().filter(|u| !u.trim().is_empty()) {
        Some(url) => Ok(
            Library::connect(url.trim(), password().as_deref(), &desk(g))?
                .on_network(g.network.as_deref().unwrap_or_default()),
        ),
        None => Library::open(&data_dir(g).join(FILE_NAME)),
    }
}

fn password() -> Option<String> {
    std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty())
}

/// This desk's name on shared rows: `--desk`, else the machine's host name.
fn desk(g: &Global) -> String {
    g.desk
        .clone()
        .filter(|d| !d.trim().is_empty())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "desk".into())
}

pub fn caps(g: &Global, out: &Output, args: CapsArgs) -> Result<()> {
    let library = open(g)?;
    let desk_caps = settings(g, false)?.caps()?;
    if let Some(CapsCommand::Set {
        daily_usd,
        per_payment_usd,
    }) = args.action
    {
        if daily_usd.is_none() && per_payment_usd.is_none() {
            return Err(Error::invalid(
                "caps",
                "Say which cap to set: --daily-usd, --per-payment-usd or both.",
            ));
        }
        let daily = daily_usd
            .map(|v| usd_to_atomic("daily_usd", &v))
            .transpose()?;
        let per = per_payment_usd
            .map(|v| usd_to_atomic("per_payment_usd", &v))
            .transpose()?;
        library.set_studio_caps(per, daily, likeness::clock::Clock::new().now_ms())?;
    }
    let effective = library.caps_over(desk_caps)?;
    let source = if library.is_shared() {
        "studio"
    } else {
        "desk"
    };
    print_caps(out, effective, source, library.shared_target());
    Ok(())
}

#[allow(clippy::print_stdout)]
fn print_caps(out: &Output, caps: SpendCaps, source: &str, target: Option<&str>) {
    let usd = |a: u128| tidy_usd(&usdc_decimal(&a.to_string()));
    if out.json {
        println!(
            "{}",
            json!({
                "result": {
                    "per_payment_usd": usd(caps.per_payment_atomic),
                    "daily_usd": usd(caps.daily_atomic),
                    "source": source,
                    "database": target,
                }
            })
        );
    } else {
        let whose = match target {
            Some(t) => format!("the studio's, in {t}"),
            None => "this desk's (Settings)".to_string(),
        };
        println!(
            "Caps ({whose}): ${} a payment, ${} a day.",
            usd(caps.per_payment_atomic),
            usd(caps.daily_atomic)
        );
    }
}

#[allow(clippy::print_stdout)]
pub fn run(g: &Global, out: &Output, command: LibraryCommand) -> Result<()> {
    let LibraryCommand::Migrate { to } = command;
    let from = Library::open(&data_dir(g).join(FILE_NAME))?;
    let shared = Library::connect(to.trim(), password().as_deref(), &desk(g))?;
    let reports = from.copy_into(&shared)?;
    for r in &reports {
        if out.json {
            println!("{}", json!(r));
        } else {
            println!(
                "{}: {} copied, {} already there",
                r.table, r.copied, r.already_there
            );
        }
    }
    Ok(())
}

/// `likeness sessions [--all-desks]`.
pub fn sessions(g: &Global, out: &Output, all_desks: bool) -> Result<()> {
    let library = open(g)?;
    let mine = library.open_sessions()?;
    match library.desk() {
        Some(desk) if all_desks => {
            let others = library.other_desks_sessions()?;
            out.all_desks_sessions(desk, &mine, &others, likeness::clock::Clock::new().now_ms());
        }
        _ => out.sessions(&mine),
    }
    Ok(())
}

/// `likeness session take-over --id ID`.
pub fn take_over(g: &Global, out: &Output, id: &str) -> Result<()> {
    let library = open(g)?;
    let now = likeness::clock::Clock::new().now_ms();
    let from = library.take_over_session(id, &super::operator(g)?, now)?;
    out.taken_over(&library.session(id)?, &from);
    Ok(())
}
