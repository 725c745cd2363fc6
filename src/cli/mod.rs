//! The CLI's commands. Output is the CLI's interface, so it writes to stdout directly; logs go
//! to stderr through `tracing`.
#![allow(clippy::print_stdout)]

mod consent;
mod enroll_flow;
mod library;
mod output;
mod photo;
mod prompt;
mod video;
mod wallet;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use likeness::error::{Error, Result};
use likeness::flow::{EnrollOutcome, SessionState, SessionView, Studio, StudioConfig};
use likeness::http::TrustRoots;
use likeness::library::Face;
use likeness::payment::PaymentQuote;
use likeness::providers::ProviderKind;
use likeness::secrets::{KeyringStore, MemoryStore, Secret, SecretStore};
use likeness::settings::PaymentMethod;
use likeness::settings::{Settings, DEFAULT_REHEARSAL_PORT};
use likeness::stage::{Stage, StageOptions};
use likeness::wallet::Wallet;
use output::Output;
use prompt::{confirm, price_question, settle, settle_scan, wait_for_asset};
use serde_json::json;

#[derive(Parser)]
#[command(
    name = "likeness",
    version,
    about = "Likeness Studio: enroll faces for Seedance video generation"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Global {
    /// One JSON object per line for progress events, then a final result object.
    #[arg(long, global = true)]
    json: bool,
    /// The provider to use.
    #[arg(long, global = true, default_value = "rehearsal", value_name = "NAME")]
    provider: String,
    /// Overrides the provider's base URL.
    #[arg(long, global = true, value_name = "URL")]
    base_url: Option<String>,
    /// Reads the provider's API key from this environment variable instead of the keyring.
    #[arg(long, global = true, value_name = "VAR")]
    api_key_env: Option<String>,
    /// Where the studio's SQLite file lives (default: the app's data folder).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Confirms paid steps without asking.
    #[arg(long, global = true)]
    yes: bool,
    /// Goes on with a photo whose face checks failed (two faces, no face, blurred). The
    /// overridden checks are recorded on the face. Provider limits cannot be overridden.
    #[arg(long, global = true)]
    override_photo_checks: bool,
    /// Reads the wallet's private key (hex) from this environment variable instead of the
    /// keyring; it is not stored (except by `wallet import`, which stores it).
    #[arg(long, global = true, value_name = "VAR")]
    wallet_key_env: Option<String>,
    /// Who runs the session, written into each new face's consent record and on the session's,
    /// payment's and video job's rows (up to 80 characters). The app takes it from Settings.
    #[arg(long, global = true, env = "LIKENESS_OPERATOR", value_name = "NAME")]
    operator: Option<String>,
    /// The studio's shared PostgreSQL database (postgres://user@host:5432/studio) instead of
    /// this desk's SQLite file: one library, ledger and daily cap for several desks. A password
    /// not in the address is read from LIKENESS_DATABASE_PASSWORD.
    #[arg(
        long,
        global = true,
        env = "LIKENESS_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    database_url: Option<String>,
    /// This desk's name, written on the rows it files in the shared database (default: the
    /// machine's host name).
    #[arg(long, global = true, env = "LIKENESS_DESK", value_name = "NAME")]
    desk: Option<String>,
    /// On the shared database: this desk is not behind the studio's public address, so its
    /// provider calls count against NAME's hourly budget instead of the one the studio's desks
    /// share.
    #[arg(long, global = true, env = "LIKENESS_NETWORK", value_name = "NAME")]
    network: Option<String>,
    /// The studio's photo bucket, where photo files are hosted for providers that fetch a link
    /// (BlockRun, JarvisClaw, Crun); the keys come from LIKENESS_S3_ACCESS_KEY_ID and
    /// LIKENESS_S3_SECRET_ACCESS_KEY. Rehearsal and Anyfast need none.
    #[command(flatten)]
    hosting: photo::HostingArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Liveness sessions, one step at a time.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Enroll a verified session's face (paid).
    Enroll {
        #[arg(long, value_name = "ID")]
        session: String,
        #[arg(long, value_name = "N")]
        name: String,
        /// The face photo: a file on this computer or an https link (`--image-url` still works).
        #[arg(long = "image", visible_alias = "image-url", value_name = "PATH|URL")]
        image_url: String,
    },
    /// Enroll an AI character as a virtual portrait, with no liveness check (paid).
    Portrait {
        #[arg(long, value_name = "N")]
        name: String,
        /// The face photo: a file on this computer or an https link (`--image-url` still works).
        #[arg(long = "image", visible_alias = "image-url", value_name = "PATH|URL")]
        image_url: String,
    },
    /// List the faces in the library, or print one's consent record (`faces receipt`).
    #[command(args_conflicts_with_subcommands = true)]
    Faces {
        #[command(subcommand)]
        action: Option<consent::FacesCommand>,
        /// First fill and refresh the library from the provider's wallet listings (BlockRun and
        /// Rehearsal; two calls from the hourly status budget).
        #[arg(long)]
        sync: bool,
        /// Whose listings to read (default: the paying wallet).
        #[arg(long, value_name = "ADDRESS", requires = "sync")]
        wallet: Option<String>,
        /// Only faces whose name, asset id, group id or a tag contains this (any case).
        #[arg(long, value_name = "Q")]
        search: Option<String>,
        /// Only faces filed under this provider. (`--provider` chooses the provider to talk
        /// to, for `--sync`.)
        #[arg(long, value_name = "P")]
        only_provider: Option<String>,
        /// Only this kind of face.
        #[arg(long, value_name = "real_face|portrait|asset")]
        kind: Option<String>,
    },
    /// List sessions that still need the operator (on the shared database, this desk's).
    Sessions {
        /// Also the other desks' open sessions, each with the desk that follows it.
        #[arg(long)]
        all_desks: bool,
    },
    /// The whole flow: the release for the talent to agree to, QR in the terminal, countdown,
    /// polling, enroll, asset id.
    EnrollFlow {
        #[arg(long, value_name = "N")]
        name: String,
        /// The face photo: a file on this computer or an https link (`--image-url` still works).
        #[arg(long = "image", visible_alias = "image-url", value_name = "PATH|URL")]
        image_url: String,
        /// The name the talent typed to agree to the release (`likeness release show`). Without
        /// it the release is printed and the talent types their name at this terminal.
        #[arg(long, value_name = "NAME")]
        talent_agrees: Option<String>,
    },
    /// The release the talent agrees to before their QR appears: show it, or save a new version.
    #[command(subcommand)]
    Release(consent::ReleaseCommand),
    /// The built-in Rehearsal provider.
    #[command(subcommand)]
    Rehearsal(RehearsalCommand),
    /// The studio wallet: the key that pays for x402 calls in USDC on Base.
    #[command(subcommand)]
    Wallet(wallet::WalletCommand),
    /// Check a face photo before paying (format, size, faces, sharpness).
    #[command(subcommand)]
    Photo(photo::PhotoCommand),
    /// Seedance 2.0 videos with a face from the library: create, status, wait.
    #[command(subcommand)]
    Video(video::VideoCommand),
    /// A verified person's files on Anyfast or Crun: photos, short videos, voice clips.
    #[command(subcommand)]
    Asset(AssetCommand),
    /// The spending caps payments are checked against; `caps set` sets the studio's on the
    /// shared database.
    Caps(library::CapsArgs),
    /// The library itself: `library migrate --to postgres://…` moves this desk's file into the
    /// studio's shared database.
    #[command(subcommand)]
    Library(library::LibraryCommand),
}

#[derive(Subcommand)]
enum AssetCommand {
    /// Check a file against the provider's limits, then upload it into a verified person's
    /// group and wait until the provider has processed it.
    Add {
        #[arg(long, value_name = "ID")]
        group: String,
        #[arg(long = "type", value_name = "image|video|audio")]
        asset_type: String,
        /// An https link; a photo (`--type image`) may also be a file on this computer.
        #[arg(long, value_name = "U")]
        url: String,
        /// The talent's name, when the group is not in the library yet.
        #[arg(long, value_name = "N")]
        name: Option<String>,
        /// Return as soon as it is uploaded, without waiting for the provider's processing.
        #[arg(long)]
        no_wait: bool,
    },
    /// Ask the provider where an asset stands (processing, active, failed).
    Status {
        #[arg(long, value_name = "ID")]
        id: String,
    },
}

#[derive(Subcommand)]
enum SessionCommand {
    /// Open a liveness session; prints its id, the link and when it expires.
    Start {
        #[arg(long, value_name = "N")]
        name: String,
        /// The face photo, checked now and used at enroll time: a file on this computer or an
        /// https link (`--image-url` still works).
        #[arg(long = "image", visible_alias = "image-url", value_name = "PATH|URL")]
        image_url: Option<String>,
        /// The name the talent typed to agree to the release (`likeness release show`): the QR
        /// is issued at once. Without it the session waits for `session consent`.
        #[arg(long, value_name = "NAME")]
        talent_agrees: Option<String>,
    },
    /// The talent agrees to the release (printed by `session start` and `release show`) by
    /// typing their name; the session's QR is issued.
    Consent {
        #[arg(long, value_name = "ID")]
        id: String,
        /// The name the talent typed.
        #[arg(long, value_name = "NAME")]
        typed_name: String,
        /// The sha256 of the release text the talent was shown (default: the release in force).
        #[arg(long, value_name = "HEX")]
        release_sha256: Option<String>,
    },
    /// Ask the provider whether the talent has finished.
    Status {
        #[arg(long, value_name = "ID")]
        id: String,
    },
    /// Issue a fresh link for the same group.
    Refresh {
        #[arg(long, value_name = "ID")]
        id: String,
    },
    /// Follow another desk's session from this desk (that desk stopped, say); the other desk
    /// can no longer change it.
    TakeOver {
        #[arg(long, value_name = "ID")]
        id: String,
    },
}

#[derive(Subcommand)]
enum RehearsalCommand {
    /// Run the Rehearsal server until interrupted.
    Serve {
        #[arg(long, default_value_t = DEFAULT_REHEARSAL_PORT, value_name = "N")]
        port: u16,
        /// The address phones use (default: this machine's LAN address).
        #[arg(long, value_name = "HOST")]
        host: Option<String>,
        /// The answer shape of the JarvisClaw personality under /v1/marketplace/… .
        #[arg(long, value_name = "seed|live", default_value = "live")]
        jarvisclaw_shape: String,
    },
}

pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colour is for a person at a terminal; in a captured log it is noise to parse around.
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LIKENESS_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let out = Output::new(cli.global.json);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            out.error(&Error::Internal(format!("cannot start: {e}")));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, &out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            out.error(&e);
            ExitCode::FAILURE
        }
    }
}

fn keyring() -> KeyringStore {
    KeyringStore::new(
        std::env::var("LIKENESS_KEYRING_SERVICE").unwrap_or_else(|_| "likeness-studio".into()),
    )
}

/// Where a run's secrets come from. Scripts, CI runners and servers have no Secret Service, so a
/// run given its keys from the environment must not need one: it gets a store in memory, and
/// no path (the provider's key, Rehearsal's key and wallet, the studio wallet) can reach the
/// keyring. Rehearsal then makes a key and a wallet that last this run only.
enum Secrets {
    Keyring(KeyringStore),
    ThisRunOnly(MemoryStore),
}

impl Secrets {
    fn for_run(g: &Global) -> Secrets {
        if g.api_key_env.is_some() || g.wallet_key_env.is_some() {
            Secrets::ThisRunOnly(MemoryStore::default())
        } else {
            Secrets::Keyring(keyring().or_else_offer(
                "Give the keys for this run instead: --wallet-key-env VAR and/or --api-key-env VAR",
            ))
        }
    }

    fn store(&self) -> &dyn SecretStore {
        match self {
            Secrets::Keyring(k) => k,
            Secrets::ThisRunOnly(m) => m,
        }
    }
}

fn data_dir(global: &Global) -> PathBuf {
    global
        .data_dir
        .clone()
        .unwrap_or_else(likeness::library::default_data_dir)
}

fn api_key(global: &Global) -> Result<Option<Secret>> {
    let Some(var) = &global.api_key_env else {
        return Ok(None);
    };
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => Ok(Some(Secret::new(v.trim()))),
        _ => Err(Error::invalid(
            "api_key_env",
            format!("The environment variable {var} is empty or not set."),
        )),
    }
}

fn settings(global: &Global, in_process: bool) -> Result<Settings> {
    let provider = ProviderKind::parse(&global.provider).ok_or_else(|| {
        Error::invalid(
            "provider",
            format!(
                "Unknown provider {:?}. Known: {}.",
                global.provider,
                ProviderKind::ALL.map(ProviderKind::as_str).join(", ")
            ),
        )
    })?;
    let mut s = Settings {
        provider,
        base_url: global.base_url.clone(),
        // A key given for the run means the account rail; otherwise x402 with the wallet.
        payment_method: if global.api_key_env.is_some() {
            PaymentMethod::ApiKey
        } else {
            PaymentMethod::Wallet
        },
        ..Settings::default()
    };
    if provider == ProviderKind::Rehearsal && s.base_url.is_none() && !in_process {
        // Step commands are separate processes, so they talk to `likeness rehearsal serve`.
        s.base_url = Some(format!("http://127.0.0.1:{DEFAULT_REHEARSAL_PORT}/"));
    }
    Ok(s)
}

fn stage_options(global: &Global) -> Result<StageOptions> {
    Ok(StageOptions {
        trust: TrustRoots::default(),
        api_key: api_key(global)?,
        data_dir: Some(data_dir(global)),
        wallet: global
            .wallet_key_env
            .as_deref()
            .map(Wallet::from_env)
            .transpose()?,
    })
}

fn operator(global: &Global) -> Result<String> {
    likeness::settings::validate_operator_name(global.operator.as_deref().unwrap_or_default())
        .map_err(|e| Error::invalid("operator", e.to_string()))
}

async fn studio(global: &Global, in_process: bool) -> Result<(Arc<Studio>, Stage)> {
    studio_with_media(global, in_process, None).await
}

/// A studio as [`studio`] makes it, whose finished videos (if any) go into `media_dir`.
async fn studio_with_media(
    global: &Global,
    in_process: bool,
    media_dir: Option<PathBuf>,
) -> Result<(Arc<Studio>, Stage)> {
    let settings = settings(global, in_process)?;
    let stage = Stage::start(
        &settings,
        Secrets::for_run(global).store(),
        &stage_options(global)?,
    )
    .await?;
    let library = Arc::new(library::open(global)?);
    let studio = Studio::new(
        library,
        stage.provider.clone(),
        stage.http.clone(),
        StudioConfig {
            caps: settings.caps()?,
            wallet: stage.wallet.clone(),
            operator: operator(global)?,
            media_dir,
            rehearsal_phone_origin: stage.rehearsal_phone_origin(),
            rehearsal_shelf: stage.rehearsal_shelf(),
            photo_hosting: global.hosting.photo_host()?,
            phone_watch: stage.phone_watch(),
            callback_home: stage.callback_home(&settings),
            chain_nodes: stage.chain_nodes(&settings),
            ..StudioConfig::for_provider(&stage.provider)
        },
    );
    studio.watch_phones();
    Ok((studio, stage))
}

async fn run(cli: Cli, out: &Output) -> Result<()> {
    let g = &cli.global;
    match cli.command {
        Command::Session(SessionCommand::Start {
            name,
            image_url,
            talent_agrees,
        }) => {
            let (studio, _stage) = studio(g, false).await?;
            let mut view = studio
                .start_session(
                    &name,
                    image_url.as_deref().map(photo::image_arg).as_deref(),
                    g.override_photo_checks,
                )
                .await?;
            if let Some(typed) = talent_agrees {
                view = consent::agree(&studio, &view.session.id, &typed, None).await?;
            }
            out.session(&view);
            Ok(())
        }
        Command::Session(SessionCommand::Consent {
            id,
            typed_name,
            release_sha256,
        }) => {
            let (studio, _stage) = studio(g, false).await?;
            let view = consent::agree(&studio, &id, &typed_name, release_sha256.as_deref()).await?;
            out.session(&view);
            Ok(())
        }
        Command::Session(SessionCommand::Status { id }) => {
            let (studio, _stage) = studio(g, false).await?;
            let view = studio.check_now(&id).await?;
            out.session(&view);
            Ok(())
        }
        Command::Session(SessionCommand::Refresh { id }) => {
            let (studio, _stage) = studio(g, false).await?;
            let view = studio.refresh_session(&id).await?;
            out.session(&view);
            Ok(())
        }
        Command::Enroll {
            session,
            name,
            image_url,
        } => {
            let (studio, stage) = studio(g, false).await?;
            // A run killed mid-enroll left the session `Enrolling`: settled as the app's
            // launch does, so the payment it signed is re-sent instead of refused.
            let view = studio.resume_session(&session)?;
            if let (Some(n), likeness::providers::Provider::Crun(_)) =
                (&view.notice, studio.provider())
            {
                // Crun keeps no list of uploads: the operator checks before this run uploads
                // again, and the next `enroll` (the session is verified now) goes on.
                return Err(Error::invalid("session", n.message.clone()));
            }
            settle_scan(&studio, &view).await?;
            if stage.info.payment_method == PaymentMethod::ApiKey {
                confirm(
                    g,
                    out,
                    &format!(
                        "Enroll {name:?} with {} (charged to the API key's account)?",
                        view.session.provider
                    ),
                )?;
            }
            let outcome = studio
                .enroll_session(
                    &session,
                    Some(&name),
                    Some(&photo::image_arg(&image_url)),
                    g.override_photo_checks.then_some(true),
                )
                .await?;
            let face = settle(g, out, &studio, &session, outcome).await?;
            let face = wait_for_asset(&studio, face).await?;
            out.face(&face);
            studio.stop();
            Ok(())
        }
        Command::Portrait { name, image_url } => {
            let (studio, mut stage) = studio(g, true).await?;
            if stage.info.payment_method == PaymentMethod::ApiKey {
                confirm(
                    g,
                    out,
                    &format!(
                        "Enroll the AI character {name:?} with {} (billed to your {} account)?",
                        stage.info.provider, stage.info.provider
                    ),
                )?;
            }
            let face = studio
                .enroll_portrait(
                    &name,
                    &photo::image_arg(&image_url),
                    g.override_photo_checks,
                    |quote| {
                        out.quote(quote);
                        confirm(g, out, &price_question(quote, false)).is_ok()
                    },
                )
                .await?;
            out.face(&face);
            stage.stop().await;
            Ok(())
        }
        Command::Faces {
            action: Some(cmd), ..
        } => consent::faces(g, out, cmd),
        Command::Faces {
            action: None,
            sync,
            wallet,
            search,
            only_provider,
            kind,
        } => {
            let filter =
                faces_filter(search.as_deref(), only_provider.as_deref(), kind.as_deref())?;
            if sync {
                let (studio, stage) = studio(g, false).await?;
                let wallet = wallet.or_else(|| stage.listing_wallet());
                let report = studio.sync_faces(wallet.as_deref()).await?;
                out.sync_report(&report);
            }
            let library = library::open(g)?;
            let mut faces = library.faces()?;
            faces.retain(|f| filter.matches_face(f));
            out.faces(
                &faces,
                search.is_some() || only_provider.is_some() || kind.is_some(),
            );
            Ok(())
        }
        Command::Sessions { all_desks } => library::sessions(g, out, all_desks),
        Command::Session(SessionCommand::TakeOver { id }) => library::take_over(g, out, &id),
        Command::EnrollFlow {
            name,
            image_url,
            talent_agrees,
        } => {
            let image = photo::image_arg(&image_url);
            enroll_flow::run(g, out, &name, &image, talent_agrees.as_deref()).await
        }
        Command::Release(cmd) => consent::release(g, out, cmd),
        Command::Wallet(cmd) => wallet::run(g, out, cmd),
        Command::Caps(args) => library::caps(g, out, args),
        Command::Library(cmd) => library::run(g, out, cmd),
        Command::Photo(cmd) => photo::run(g, out, cmd).await,
        Command::Video(cmd) => video::run(g, out, cmd).await,
        Command::Asset(AssetCommand::Add {
            group,
            asset_type,
            url,
            name,
            no_wait,
        }) => {
            let asset_type = likeness::media::AssetType::parse(&asset_type).ok_or_else(|| {
                Error::invalid(
                    "type",
                    format!("Unknown asset type {asset_type:?}: use image, video or audio."),
                )
            })?;
            let (studio, _stage) = studio(g, false).await?;
            confirm(
                g,
                out,
                &format!(
                    "Upload this {} into group {group} on {} (billed to the API key's account)?",
                    asset_type.as_str(),
                    studio.provider().kind()
                ),
            )?;
            let face = studio
                .add_asset(
                    &group,
                    asset_type,
                    &photo::image_arg(&url),
                    name.as_deref(),
                    g.override_photo_checks,
                )
                .await?;
            out.event("asset_uploaded", json!({ "asset": &face }));
            let face = if no_wait {
                face
            } else {
                wait_for_asset(&studio, face).await?
            };
            out.asset(&face);
            studio.stop();
            Ok(())
        }
        Command::Asset(AssetCommand::Status { id }) => {
            let (studio, _stage) = studio(g, false).await?;
            let face = studio.check_asset(&id).await?;
            out.asset(&face);
            Ok(())
        }
        Command::Rehearsal(RehearsalCommand::Serve {
            port,
            host,
            jarvisclaw_shape,
        }) => {
            let shape = match jarvisclaw_shape.to_ascii_lowercase().as_str() {
                "seed" => provider_api::JarvisClawShape::Seed,
                "live" => provider_api::JarvisClawShape::Live,
                other => {
                    return Err(Error::invalid(
                        "jarvisclaw_shape",
                        format!("Unknown JarvisClaw shape {other:?}: use seed or live."),
                    ))
                }
            };
            let s = Settings {
                provider: ProviderKind::Rehearsal,
                rehearsal_port: port,
                rehearsal_host: host,
                rehearsal_jarvisclaw_shape: shape,
                ..Settings::default()
            };
            let mut stage =
                Stage::start(&s, Secrets::for_run(g).store(), &stage_options(g)?).await?;
            let server = stage
                .rehearsal()
                .ok_or_else(|| Error::Internal("Rehearsal did not start".into()))?;
            out.event(
                "rehearsal_ready",
                json!({
                    "baseUrl": server.base_url().as_str(),
                    "port": server.local_addr().port(),
                    "phoneHost": stage.info.phone_host,
                    "keyOwner": server.key_owner(),
                }),
            );
            if !out.json {
                println!(
                    "Rehearsal is serving the BlockRun API at {0}, JarvisClaw's at {0}v1/marketplace/, \
                     Anyfast's at {0}volc/asset/ and Crun's at {0}api/v1/client/job/",
                    server.base_url()
                );
                println!(
                    "Phones reach it at http://{}:{}/ . Press Ctrl-C to stop.",
                    stage.info.phone_host.clone().unwrap_or_default(),
                    server.local_addr().port()
                );
            }
            let _ = tokio::signal::ctrl_c().await;
            stage.stop().await;
            Ok(())
        }
    }
}

/// The `faces` search flags, checked before anything runs.
fn faces_filter(
    search: Option<&str>,
    provider: Option<&str>,
    kind: Option<&str>,
) -> Result<likeness::library::FaceFilter> {
    let provider = provider
        .map(|p| {
            ProviderKind::parse(&p.trim().to_ascii_lowercase()).ok_or_else(|| {
                Error::invalid(
                    "only_provider",
                    format!(
                        "Unknown provider {p:?}. Known: {}.",
                        ProviderKind::ALL.map(ProviderKind::as_str).join(", ")
                    ),
                )
            })
        })
        .transpose()?;
    let kind = kind
        .map(|k| {
            likeness::library::FaceKind::parse(&k.trim().to_ascii_lowercase()).ok_or_else(|| {
                Error::invalid(
                    "kind",
                    format!("Unknown kind {k:?}: use real_face, portrait or asset."),
                )
            })
        })
        .transpose()?;
    Ok(likeness::library::FaceFilter::new(
        search.unwrap_or_default(),
        provider,
        kind,
    ))
}

/// `<id>-consent.html`, with anything but letters, digits, `-`, `_` and `.` made `_` so an id
/// can never name a path.
fn receipt_file_name(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{}-consent.html", safe.trim_start_matches('.'))
}
