//! Where the app's library lives: the desk's own SQLite file (the default, no setup), or the
//! studio's shared PostgreSQL database (Settings → Studio database). The password is kept in
//! the OS keyring, never in the settings. When the shared database cannot be reached at launch,
//! the app still opens, on the desk's own file, and says so until the operator acts: it never
//! silently switches where faces and payments are filed.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Library;
use crate::error::{CommandError, Error, Result};
use crate::secrets::{SecretName, SecretStore};

/// Settings → Studio database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct StudioDatabase {
    /// `postgres://user@host:5432/studio`, without the password.
    pub url: String,
    /// This desk's name on shared rows ("Desk 2"); the machine's name when empty.
    pub desk: String,
    /// Which network this desk is on, for the providers' per-address hourly budgets; desks on
    /// one network share one budget. Empty: the studio's main network.
    pub network: String,
}

const MAX_NAME_CHARS: usize = 40;

impl StudioDatabase {
    pub fn validate(&self) -> Result<()> {
        let url = self.url.trim();
        let parsed = url::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "postgres" | "postgresql") && u.host_str().is_some());
        let Some(parsed) = parsed else {
            return Err(Error::invalid(
                "database_url",
                "The studio database address looks like postgres://user@host:5432/studio.",
            ));
        };
        if parsed.password().is_some() {
            return Err(Error::invalid(
                "database_url",
                "Leave the password out of the address and type it in the password field: it is kept in this computer's keychain.",
            ));
        }
        for (field, value, what) in [
            ("desk_name", &self.desk, "desk name"),
            ("network", &self.network, "network name"),
        ] {
            let n = value.trim().chars().count();
            if n > MAX_NAME_CHARS || value.chars().any(char::is_control) {
                return Err(Error::invalid(
                    field,
                    format!("Keep the {what} to one line of at most {MAX_NAME_CHARS} characters."),
                ));
            }
        }
        Ok(())
    }

    /// Keeps the password in the keyring (`secrets`); an empty one removes it.
    pub fn store_password(secrets: &dyn SecretStore, password: &str) -> Result<()> {
        if password.is_empty() {
            return secrets.delete(SecretName::DatabasePassword);
        }
        if password.chars().any(char::is_control) {
            return Err(Error::invalid(
                "database_password",
                "The password has a line break or tab in it: paste just the password.",
            ));
        }
        secrets.set(
            SecretName::DatabasePassword,
            &crate::secrets::Secret::new(password),
        )
    }

    /// The desk name written on shared rows: the one set, else this machine's name.
    pub fn desk_name(&self) -> String {
        Some(self.desk.trim().to_string())
            .filter(|d| !d.is_empty())
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "desk".into())
    }
}

/// What the window shows about the library in use.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LibraryStatus {
    /// `user@host:port/db` when the shared database is in use.
    pub shared_target: Option<String>,
    /// This desk's name on the shared database.
    pub desk: Option<String>,
    /// Why the shared database set in Settings is not in use this run.
    pub problem: Option<CommandError>,
}

impl LibraryStatus {
    pub fn of(library: &Library, problem: Option<&Error>) -> LibraryStatus {
        LibraryStatus {
            shared_target: library.shared_target().map(str::to_string),
            desk: library.desk().map(str::to_string),
            problem: problem.map(|e| {
                let mut c = CommandError::from(e);
                c.message = format!(
                    "The studio database is not in use: {} This desk works on its own library until the app is restarted with the database reachable; faces and payments made now stay on this desk and count against its own limits.",
                    c.message
                );
                c
            }),
        }
    }
}

/// Opens the library the settings name: the shared database (password from `secrets`), or the
/// desk's file at `file`. A shared database that fails to open falls back to the file, with
/// the reason, so the app still opens.
pub fn open_library(
    database: Option<&StudioDatabase>,
    secrets: &dyn SecretStore,
    file: &Path,
) -> Result<(Library, Option<Error>)> {
    let Some(db) = database.filter(|d| !d.url.trim().is_empty()) else {
        return Ok((Library::open(file)?, None));
    };
    let shared = db.validate().and_then(|()| {
        let password = secrets.get(SecretName::DatabasePassword)?;
        Library::connect(
            db.url.trim(),
            password.as_ref().map(|p| p.expose()),
            &db.desk_name(),
        )
    });
    match shared {
        Ok(library) => Ok((library.on_network(db.network.trim()), None)),
        Err(e) => {
            tracing::warn!(error = %e, "studio database unavailable; opening this desk's own library");
            Ok((Library::open(file)?, Some(e)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemoryStore;

    fn db(url: &str) -> StudioDatabase {
        StudioDatabase {
            url: url.into(),
            ..StudioDatabase::default()
        }
    }

    #[test]
    fn the_address_is_a_postgres_url_without_its_password() {
        assert!(db("postgres://casting@db.studio:5432/day")
            .validate()
            .is_ok());
        assert!(db("postgresql://casting@10.0.0.2/day").validate().is_ok());
        let e = db("postgres://casting:hunter2@db/day")
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("keychain"), "{e}");
        let e = db("mysql://db/day").validate().unwrap_err();
        assert!(e.to_string().contains("postgres://"), "{e}");
        let long = StudioDatabase {
            desk: "d".repeat(41),
            ..db("postgres://u@h/d")
        };
        assert_eq!(long.validate().unwrap_err().field(), Some("desk_name"));
    }

    #[test]
    fn no_database_opens_the_desk_file_and_a_bad_one_falls_back_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("library.db");
        let secrets = MemoryStore::default();
        let (library, problem) = open_library(None, &secrets, &file).unwrap();
        assert!(!library.is_shared() && problem.is_none());
        // Nothing listens on port 1: the app still opens, on the file, and says why.
        let (library, problem) =
            open_library(Some(&db("postgres://u@127.0.0.1:1/d")), &secrets, &file).unwrap();
        assert!(!library.is_shared());
        let problem = problem.expect("the reason is kept");
        let status = LibraryStatus::of(&library, Some(&problem));
        assert_eq!(status.shared_target, None);
        let message = status.problem.unwrap().message;
        assert!(
            message.starts_with("The studio database is not in use:"),
            "{message}"
        );
        assert!(message.contains("own library"), "{message}");
    }
}
