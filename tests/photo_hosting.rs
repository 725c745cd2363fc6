//! Photo hosting against a real S3-compatible server on loopback: `s3s-fs` (crates.io), which
//! checks SigV4 signatures, keys and presigned links' expiry like the real services. The
//! server is installed by scripts/install-deps; a test that cannot find it fails and says so.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::s3::{keys, S3Server, ACCESS_KEY, BUCKET, SECRET_KEY};
use likeness::error::{Error, ErrorCode};
use likeness::hosting::{S3Hosting, S3Settings};
use tokio::io::AsyncReadExt;

fn photo() -> Vec<u8> {
    let mut bytes = b"\xFF\xD8\xFF\xE0 a face photo ".to_vec();
    bytes.resize(64 * 1024, 7);
    bytes
}

fn host_message(e: Error) -> String {
    assert_eq!(e.code(), ErrorCode::PhotoHost, "{e:?}");
    let message = e.to_string();
    assert!(message.contains("Nothing was paid"), "{message}");
    message
}

#[tokio::test]
async fn a_photo_is_hosted_privately_fetched_by_its_link_and_deleted() {
    let server = S3Server::start();
    let hosting = server.hosting();
    let bytes = photo();
    let hosted = hosting.upload(bytes.clone(), "image/jpeg").await.unwrap();
    assert!(
        hosted.object.starts_with("likeness/photos/"),
        "{}",
        hosted.object
    );
    assert!(hosted.object.ends_with(".jpg"));
    assert_eq!(hosted.sha256, likeness::photo::sha256_hex(&bytes));
    let query: Vec<String> = hosted
        .url
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .collect();
    assert!(
        query.iter().any(|k| k == "X-Amz-Signature"),
        "{}",
        hosted.url
    );

    // What a provider does: a plain GET of the link, no keys.
    let fetched = reqwest::get(hosted.url.clone()).await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), bytes.as_slice());
    // Without the signature the bucket is private.
    let mut bare = hosted.url.clone();
    bare.set_query(None);
    assert_eq!(reqwest::get(bare).await.unwrap().status(), 403);

    // Two uploads never share a name.
    let second = hosting.upload(bytes.clone(), "image/png").await.unwrap();
    assert_ne!(second.object, hosted.object);
    assert!(second.object.ends_with(".png"));
    assert_eq!(server.stored_files().len(), 2);

    hosting.remove(&hosted.object).await.unwrap();
    hosting.remove(&second.object).await.unwrap();
    assert!(
        server.stored_files().is_empty(),
        "{:?}",
        server.stored_files()
    );
    let gone = reqwest::get(hosted.url.clone()).await.unwrap();
    assert_eq!(gone.status(), 404);
    // Deleting what is already gone is not an error.
    hosting.remove(&hosted.object).await.unwrap();
}

#[tokio::test]
async fn the_link_lapses_when_its_time_is_up() {
    let server = S3Server::start();
    let hosted = server
        .hosting()
        .upload_for(photo(), "image/jpeg", Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(
        reqwest::get(hosted.url.clone()).await.unwrap().status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let late = reqwest::get(hosted.url.clone()).await.unwrap();
    assert_eq!(late.status(), 403, "an expired link still served the photo");
}

#[tokio::test]
async fn wrong_keys_are_said_plainly_and_nothing_is_stored() {
    let server = S3Server::start();
    for (id, secret) in [(ACCESS_KEY, "not-the-secret"), ("someone-else", SECRET_KEY)] {
        let hosting = S3Hosting::new(&server.settings(BUCKET), keys(id, secret)).unwrap();
        let e = hosting.upload(photo(), "image/jpeg").await.unwrap_err();
        let message = host_message(e);
        assert!(
            message.contains("refused the photo hosting keys"),
            "{message}"
        );
        assert!(message.contains("Settings → Photo hosting"), "{message}");
    }
    assert!(server.stored_files().is_empty());
}

#[tokio::test]
async fn a_bucket_that_does_not_exist_is_named() {
    let server = S3Server::start();
    let hosting = S3Hosting::new(
        &server.settings("no-such-bucket"),
        keys(ACCESS_KEY, SECRET_KEY),
    )
    .unwrap();
    let message = host_message(hosting.upload(photo(), "image/jpeg").await.unwrap_err());
    assert!(
        message.contains("“no-such-bucket” does not exist"),
        "{message}"
    );
}

#[tokio::test]
async fn a_connection_dropped_mid_upload_is_said_plainly() {
    // A store that takes the start of the upload and then hangs up, every time.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = vec![0u8; 4096];
            let _ = socket.read(&mut buf).await;
            drop(socket);
        }
    });
    let settings = S3Settings {
        endpoint: format!("http://{addr}"),
        region: "us-east-1".into(),
        bucket: BUCKET.into(),
        prefix: String::new(),
    };
    let hosting = S3Hosting::new(&settings, keys(ACCESS_KEY, SECRET_KEY)).unwrap();
    let started = Instant::now();
    let message = host_message(hosting.upload(photo(), "image/jpeg").await.unwrap_err());
    assert!(
        message.contains("Could not reach the storage service"),
        "{message}"
    );
    assert!(accepted.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    // A bounded number of retries, not minutes of silence.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn settings_that_cannot_work_are_refused_before_any_call() {
    let no_bucket = S3Settings {
        endpoint: "http://127.0.0.1:9".into(),
        ..S3Settings::default()
    };
    let e = S3Hosting::new(&no_bucket, keys(ACCESS_KEY, SECRET_KEY)).unwrap_err();
    assert_eq!(e.field(), Some("hosting_bucket"));
    let bad_endpoint = S3Settings {
        endpoint: "s3 at the office".into(),
        bucket: BUCKET.into(),
        ..S3Settings::default()
    };
    let e = S3Hosting::new(&bad_endpoint, keys(ACCESS_KEY, SECRET_KEY)).unwrap_err();
    assert_eq!(e.field(), Some("hosting_endpoint"));
}

#[tokio::test]
async fn the_settings_test_walks_every_step_and_leaves_nothing() {
    let server = S3Server::start();
    let check = server
        .hosting()
        .check(&reqwest::Client::new())
        .await
        .unwrap();
    assert!(check.ready(), "{check:?}");
    assert_eq!(check.bucket, BUCKET);
    assert_eq!(check.link_seconds, 600);
    assert!(
        server.stored_files().is_empty(),
        "{:?}",
        server.stored_files()
    );
}

/// `likeness photo check-hosting`, as a script runs it: keys from the environment only.
#[test]
fn the_cli_tests_the_bucket_with_keys_from_the_environment() {
    let server = S3Server::start();
    let home = tempfile::tempdir().unwrap();
    let run = |secret: &str| {
        Command::new(env!("CARGO_BIN_EXE_likeness"))
            .args(["--json", "--data-dir"])
            .arg(home.path())
            .args(["photo", "check-hosting", "--s3-endpoint"])
            .arg(format!("http://{}", server.addr))
            .args(["--s3-bucket", BUCKET])
            .env("LIKENESS_S3_ACCESS_KEY_ID", ACCESS_KEY)
            .env("LIKENESS_S3_SECRET_ACCESS_KEY", secret)
            .env("LIKENESS_KEYRING_SERVICE", "likeness-hosting-test-unused")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let json = |out: &std::process::Output| -> serde_json::Value {
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .last()
            .unwrap_or_else(|| panic!("no output: {out:?}"));
        serde_json::from_str(line).unwrap()
    };

    let ok = run(SECRET_KEY);
    assert!(ok.status.success(), "{ok:?}");
    let result = &json(&ok)["result"];
    for step in ["uploaded", "linkServed", "private", "deleted"] {
        assert_eq!(result[step], true, "{result}");
    }

    let refused = run("wrong-secret");
    assert!(!refused.status.success());
    let error = &json(&refused)["error"];
    assert_eq!(error["code"], "photo_host", "{error}");
    assert!(server.stored_files().is_empty());
}
