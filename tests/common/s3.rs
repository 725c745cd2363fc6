//! A real S3-compatible server on loopback: `s3s-fs` (crates.io, installed by
//! scripts/install-deps), which checks SigV4 signatures, keys and presigned links' expiry like
//! the real services. A test that cannot find it fails and says so.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use likeness::hosting::{S3Hosting, S3Keys, S3Settings};
use likeness::secrets::Secret;

pub const ACCESS_KEY: &str = "studio-hosting-key";
pub const SECRET_KEY: &str = "studio-hosting-secret-0123456789";
pub const BUCKET: &str = "casting-photos";

pub struct S3Server {
    child: Child,
    pub addr: SocketAddr,
    pub root: tempfile::TempDir,
}

impl S3Server {
    /// A fresh server with one bucket.
    pub fn start() -> S3Server {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(BUCKET)).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let binary = std::env::var("LIKENESS_S3_SERVER").unwrap_or_else(|_| "s3s-fs".into());
        let child = Command::new(&binary)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {binary} (installed by scripts/install-deps): {e}")
            });
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "{binary} did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        S3Server { child, addr, root }
    }

    pub fn settings(&self, bucket: &str) -> S3Settings {
        S3Settings {
            endpoint: format!("http://{}", self.addr),
            region: "us-east-1".into(),
            bucket: bucket.into(),
            prefix: "likeness/photos".into(),
        }
    }

    pub fn hosting(&self) -> S3Hosting {
        S3Hosting::new(&self.settings(BUCKET), keys(ACCESS_KEY, SECRET_KEY)).unwrap()
    }

    pub fn stored_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if !path.to_string_lossy().contains(".s3s") {
                    out.push(path);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root.path().join(BUCKET), &mut out);
        out
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn keys(id: &str, secret: &str) -> S3Keys {
    S3Keys {
        access_key_id: id.into(),
        secret_access_key: Secret::new(secret),
    }
}

/// An HTTPS front for the S3 server (s3s-fs speaks plain http), with a self-signed certificate
/// for `localhost`: providers such as BlockRun fetch only https links. It passes every request
/// on as it came, Host header included, so presigned signatures made for the front verify.
pub struct TlsFront {
    pub addr: SocketAddr,
    pub cert_der: Vec<u8>,
    handle: axum_server::Handle<SocketAddr>,
}

impl TlsFront {
    pub async fn start(behind: SocketAddr) -> TlsFront {
        use axum::body::Body;
        use axum::http::{header, Request, Response};
        let _ = rustls::crypto::ring::default_provider().install_default();
        let certified =
            rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
        let cert_der = certified.cert.der().to_vec();
        let tls = axum_server::tls_rustls::RustlsConfig::from_der(
            vec![cert_der.clone()],
            certified.signing_key.serialize_der(),
        )
        .await
        .expect("rustls config");
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let http = http.clone();
            async move {
                let (parts, body) = req.into_parts();
                let host = parts
                    .headers
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_owned)
                    .or_else(|| parts.uri.authority().map(|a| a.to_string()))
                    .unwrap_or_default();
                let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                let mut out = http
                    .request(parts.method.clone(), format!("http://{behind}{path}"))
                    .body(body);
                for (name, value) in &parts.headers {
                    if name != header::HOST {
                        out = out.header(name, value);
                    }
                }
                let answer = out.header(header::HOST, host).send().await.unwrap();
                let mut response = Response::builder().status(answer.status());
                for (name, value) in answer.headers() {
                    if name != header::TRANSFER_ENCODING && name != header::CONNECTION {
                        response = response.header(name, value);
                    }
                }
                response
                    .body(Body::from(answer.bytes().await.unwrap()))
                    .unwrap()
            }
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = axum_server::Handle::new();
        let server = axum_server::tls_rustls::from_tcp_rustls(listener, tls)
            .unwrap()
            .handle(handle.clone());
        tokio::spawn(async move {
            let _ = server.serve(app.into_make_service()).await;
        });
        TlsFront {
            addr,
            cert_der,
            handle,
        }
    }

    /// The bucket settings at the front's https address.
    pub fn settings(&self, bucket: &str) -> S3Settings {
        S3Settings {
            endpoint: format!("https://localhost:{}", self.addr.port()),
            region: "us-east-1".into(),
            bucket: bucket.into(),
            prefix: "likeness/photos".into(),
        }
    }

    pub fn hosting(&self) -> S3Hosting {
        S3Hosting::trusting(
            &self.settings(BUCKET),
            keys(ACCESS_KEY, SECRET_KEY),
            &likeness::http::TrustRoots(vec![self.cert_der.clone()]),
        )
        .unwrap()
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}
