//! The shared studio database on PostgreSQL: the same library as the SQLite file, for several
//! desks at once (one library, one ledger, one daily cap).
//!
//! The `Library` API is synchronous and is called from async code (the flow), from plain threads
//! (the CLI, tests) and from Tauri commands. PostgreSQL work therefore runs on a small runtime
//! of its own and the caller waits for the answer. A tokio worker that waits first hands its
//! other tasks to the rest of the runtime (`block_in_place`), so a query over loopback or a LAN
//! never stalls the app's runtime, and no runtime is ever started inside another.

mod account_charges;
mod calls;
pub mod caps;
mod changes;
mod copy;
mod faces;
mod jobs;
mod payments;
mod release;
mod schema;
mod sessions;
mod tags;

pub use caps::StudioCaps;
pub use copy::CopyReport;

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod};
use tokio::runtime::{Handle, Runtime, RuntimeFlavor};
use tokio_postgres::error::SqlState;

use crate::error::{DatabaseProblem, Error, Result};

/// How long a desk waits for the server before saying it is unreachable. Short: the operator
/// is looking at the window, and a desk on a dead network should say so, not hang.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Connections one desk keeps open. The app and the flow rarely run more than a few queries at
/// once; a studio of ten desks stays far below the server's default of 100.
const POOL_SIZE: usize = 8;

/// One desk's connection to the studio database.
pub(crate) struct Database {
    pool: Pool,
    handle: Handle,
    /// Taken in `drop`: a runtime dropped inside async code would panic, so it is shut down in
    /// the background instead.
    runtime: Option<Runtime>,
    /// The desk name written on every row this desk files.
    desk: String,
    /// `user@host:port/db`, for messages (never the password).
    target: String,
    /// The network whose hourly provider budget this desk spends ('' for the studio's).
    network: String,
}

/// Why a piece of database work failed, before it is put in the operator's words.
pub(super) enum Fail {
    Pg(tokio_postgres::Error),
    Pool(PoolError),
    App(Error),
}

impl From<tokio_postgres::Error> for Fail {
    fn from(e: tokio_postgres::Error) -> Self {
        Fail::Pg(e)
    }
}

impl From<PoolError> for Fail {
    fn from(e: PoolError) -> Self {
        Fail::Pool(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::App(e)
    }
}

pub(super) type Answer<T> = std::result::Result<T, Fail>;

/// A column held a value this app does not know.
pub(super) fn unknown(column: &str, value: &str) -> Fail {
    Fail::App(Error::Storage(format!(
        "the studio database has an unknown value {value:?} in {column}"
    )))
}

impl Database {
    /// Connects, checks the schema (refusing a database newer than this app) and applies any
    /// migration this app brings. `password` fills in a URL without one (the keychain's or the
    /// environment's), so the password need not sit in a settings file.
    pub fn connect(url: &str, password: Option<&str>, desk: &str) -> Result<Self> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| {
            Error::invalid(
                "database_url",
                format!(
                    "The studio database address is not a PostgreSQL URL ({e}). It looks like \
                     postgres://user@host:5432/studio."
                ),
            )
        })?;
        if config.get_hosts().is_empty() {
            return Err(Error::invalid(
                "database_url",
                "The studio database address names no host: postgres://user@host:5432/studio.",
            ));
        }
        if config.get_password().is_none() {
            if let Some(p) = password.filter(|p| !p.is_empty()) {
                config.password(p);
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name(format!("likeness {desk}"));
        let target = describe(&config);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("likeness-db")
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("could not start the database runtime: {e}")))?;
        let manager = Manager::from_config(
            config,
            tls(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .create_timeout(Some(CONNECT_TIMEOUT * 2))
            .wait_timeout(Some(Duration::from_secs(10)))
            .build()
            .map_err(|e| Error::Internal(format!("could not make the connection pool: {e}")))?;
        let db = Database {
            pool,
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
            desk: desk.to_string(),
            target,
            network: String::new(),
        };
        db.run(|mut c| async move { schema::migrate(&mut c).await })?;
        tracing::info!(target_db = %db.target, desk = %db.desk, "studio database ready");
        Ok(db)
    }

    /// Where this desk's library is, for messages and the status line.
    pub fn target(&self) -> &str {
        &self.target
    }

    pub fn desk(&self) -> &str {
        &self.desk
    }

    pub fn set_network(&mut self, network: &str) {
        self.network = network.trim().to_string();
    }

    /// Runs `work` with a pooled connection on the database runtime and waits for it.
    pub(super) fn run<T, F, Fut>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(Object) -> Fut + Send + 'static,
        Fut: Future<Output = Answer<T>> + Send + 'static,
    {
        let pool = self.pool.clone();
        let task = async move {
            let client = pool.get().await?;
            work(client).await
        };
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.handle.spawn(async move {
            // The caller waits on `rx` until this is sent; it cannot have gone away.
            let _ = tx.send(task.await);
        });
        let wait = move || rx.recv();
        let answer = match Handle::try_current() {
            Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(wait)
            }
            _ => wait(),
        }
        .map_err(|_| Error::Internal("a database task ended without an answer".into()))?;
        answer.map_err(|f| self.explain(f))
    }

    /// A failure in the operator's words: which server, what happened, what to do.
    fn explain(&self, f: Fail) -> Error {
        let target = &self.target;
        let unreachable = |detail: String| {
            Error::database(
                DatabaseProblem::Unreachable,
                format!(
                    "Could not reach the studio database at {target}. Check that the server is \
                     running and that this desk is on its network; nothing was saved by this \
                     step. ({detail})"
                ),
            )
        };
        match f {
            Fail::App(e) => e,
            Fail::Pool(PoolError::Timeout(_)) => unreachable("no answer in time".into()),
            Fail::Pool(PoolError::Backend(e)) | Fail::Pg(e) => {
                if let Some(db) = e.as_db_error() {
                    let code = db.code();
                    if *code == SqlState::INVALID_PASSWORD
                        || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
                    {
                        return Error::database(
                            DatabaseProblem::Login,
                            format!(
                                "The studio database at {target} refused the login. Check the \
                                 user name and password in Settings → Studio database (for the \
                                 CLI: LIKENESS_DATABASE_URL or LIKENESS_DATABASE_PASSWORD)."
                            ),
                        );
                    }
                    if *code == SqlState::INVALID_CATALOG_NAME {
                        return Error::database(
                            DatabaseProblem::Unreachable,
                            format!(
                                "The server at {target} has no such database. Ask whoever runs \
                                 it to create it (createdb), or fix the name in the address."
                            ),
                        );
                    }
                    if code.code().starts_with("57P") || code.code().starts_with("08") {
                        return unreachable(db.message().to_string());
                    }
                    return Error::Storage(format!("{} ({})", db.message(), code.code()));
                }
                // The server asked for a password and this desk has none (tokio-postgres says
                // so as a configuration error, before anything reaches the server).
                if format!("{e:?}").contains("password missing") {
                    return Error::database(
                        DatabaseProblem::Login,
                        format!(
                            "The studio database at {target} asks for a password and this desk \
                             has none. Enter it in Settings → Studio database (for the CLI: \
                             LIKENESS_DATABASE_PASSWORD)."
                        ),
                    );
                }
                unreachable(e.to_string())
            }
            Fail::Pool(e) => unreachable(e.to_string()),
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// `user@host:port/db`.
fn describe(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "?".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{host}:{port}/{}",
        config.get_user().unwrap_or(""),
        config.get_dbname().unwrap_or("")
    )
}

/// TLS with the system's roots, used when the server offers it (`sslmode=prefer`, the default)
/// or the address demands it (`sslmode=require`).
fn tls() -> tokio_postgres_rustls::MakeRustlsConnect {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for cert in found.certs {
        // A malformed system certificate is skipped, as every TLS client does.
        let _ = roots.add(cert);
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    tokio_postgres_rustls::MakeRustlsConnect::new(config)
}
