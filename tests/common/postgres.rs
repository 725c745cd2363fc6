//! A fresh database on the private test cluster (`scripts/pg-cluster`), for tests that run
//! against PostgreSQL. The cluster's address comes in `LIKENESS_TEST_DATABASE_URL`.
//!
//! Without it a test is skipped with a printed reason, except where `LIKENESS_REQUIRE_POSTGRES`
//! is set (scripts/test-all sets it): there a missing cluster fails loudly, so CI can never pass
//! the PostgreSQL half of the suite by not running it.

use std::sync::atomic::{AtomicU32, Ordering};

/// The address of a new, empty database, or `None` (after saying why) when no cluster runs.
pub fn fresh_database_url(test: &str) -> Option<String> {
    let Ok(base) = std::env::var("LIKENESS_TEST_DATABASE_URL") else {
        if std::env::var_os("LIKENESS_REQUIRE_POSTGRES").is_some() {
            panic!(
                "LIKENESS_REQUIRE_POSTGRES is set but LIKENESS_TEST_DATABASE_URL is not: start \
                 the cluster with `eval \"$(scripts/pg-cluster start)\"`"
            );
        }
        eprintln!(
            "SKIPPED {test} on PostgreSQL: LIKENESS_TEST_DATABASE_URL is not set (start a \
             cluster with `eval \"$(scripts/pg-cluster start)\"`)"
        );
        return None;
    };
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "t_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        test.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(30)
            .collect::<String>()
    )
    .to_lowercase();
    let admin = base.clone();
    let create = name.clone();
    // Its own thread and runtime: a caller may be inside a tokio runtime already.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
                .await
                .expect("connect to the test cluster");
            tokio::spawn(conn);
            client
                .batch_execute(&format!("CREATE DATABASE {create}"))
                .await
                .expect("create a test database");
        })
    })
    .join()
    .unwrap();
    let mut url = url::Url::parse(&base).expect("LIKENESS_TEST_DATABASE_URL is a URL");
    url.set_path(&name);
    Some(url.to_string())
}

#[allow(dead_code)] // not every test binary that includes this file uses it
/// Runs `sql` on the database at `url` (to set up what the app never would, e.g. a newer
/// schema version).
pub fn execute(url: &str, sql: &str) {
    let url = url.to_string();
    let sql = sql.to_string();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            client.batch_execute(&sql).await.unwrap();
        })
    })
    .join()
    .unwrap();
}
