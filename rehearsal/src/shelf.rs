//! Photos the studio hands Rehearsal to serve to itself: a local photo file, for the personalities
//! that fetch a link (BlockRun, JarvisClaw, Crun), without any bucket or internet. Each is kept
//! in memory under a random 128-bit name for a few minutes and served at `/hosted/<name>`; the
//! studio withdraws it once the call was answered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::RngCore;

use super::service::Service;

/// Where served photos live on the server.
pub const HOSTED_PATH: &str = "/hosted/";

#[derive(Default)]
pub struct Shelf {
    items: Mutex<HashMap<String, Item>>,
}

struct Item {
    bytes: Arc<Vec<u8>>,
    content_type: String,
    until: Instant,
}

impl Shelf {
    /// Keeps `bytes` for `lifetime` under a new random name; the name.
    pub fn put(&self, bytes: Vec<u8>, content_type: &str, lifetime: Duration) -> String {
        let mut random = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut random);
        let name = hex::encode(random);
        let mut items = self.items.lock().expect("shelf lock poisoned");
        // Lapsed photos go whenever a new one comes, so a forgotten one never stays long.
        let now = Instant::now();
        items.retain(|_, i| i.until > now);
        items.insert(
            name.clone(),
            Item {
                bytes: Arc::new(bytes),
                content_type: content_type.to_owned(),
                until: now + lifetime,
            },
        );
        name
    }

    pub fn remove(&self, name: &str) {
        self.items.lock().expect("shelf lock poisoned").remove(name);
    }

    /// The photo under `name`, while it is kept.
    pub fn get(&self, name: &str) -> Option<(Arc<Vec<u8>>, String)> {
        let items = self.items.lock().expect("shelf lock poisoned");
        items
            .get(name)
            .filter(|i| i.until > Instant::now())
            .map(|i| (Arc::clone(&i.bytes), i.content_type.clone()))
    }

    pub fn len(&self) -> usize {
        let now = Instant::now();
        self.items
            .lock()
            .expect("shelf lock poisoned")
            .values()
            .filter(|i| i.until > now)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `GET /hosted/{name}`: the photo, or 404 once withdrawn or lapsed (as an expired presigned
/// link would be refused).
pub async fn serve(State(svc): State<Arc<Service>>, Path(name): Path<String>) -> Response {
    match svc.shelf.get(&name) {
        Some((bytes, content_type)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            bytes.as_ref().clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The shelf's bytes when `url` is a photo this server hosts itself (its own address and
/// [`HOSTED_PATH`]): read directly, since its own links are plain http on the studio network.
pub fn own_photo(svc: &Service, url: &str) -> Option<Result<Arc<Vec<u8>>, ()>> {
    let url = url::Url::parse(url).ok()?;
    let authority = format!("{}:{}", url.host_str()?, url.port_or_known_default()?);
    if url.scheme() != "http" || authority != svc.authority() {
        return None;
    }
    let name = url.path().strip_prefix(HOSTED_PATH)?;
    Some(svc.shelf.get(name).map(|(b, _)| b).ok_or(()))
}

/// A running Rehearsal's shelf of photos handed to it to serve (see `RehearsalServer::photo_shelf`).
#[derive(Clone)]
pub struct PhotoShelf(Arc<Service>);

impl PhotoShelf {
    pub(crate) fn of(service: Arc<Service>) -> Self {
        PhotoShelf(service)
    }

    /// Serves `bytes` at a new unguessable link for `lifetime`; the link and the photo's name.
    pub fn lend(
        &self,
        bytes: Vec<u8>,
        content_type: &str,
        lifetime: Duration,
    ) -> (url::Url, String) {
        let name = self.0.shelf.put(bytes, content_type, lifetime);
        let link = format!("http://{}{}{name}", self.0.authority(), HOSTED_PATH);
        (
            url::Url::parse(&link).expect("Rehearsal's own address makes a link"),
            name,
        )
    }

    pub fn withdraw(&self, name: &str) {
        self.0.shelf.remove(name);
    }

    /// How many photos are served now.
    pub fn len(&self) -> usize {
        self.0.shelf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.shelf.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_random_and_photos_lapse() {
        let shelf = Shelf::default();
        let a = shelf.put(vec![1], "image/jpeg", Duration::from_secs(60));
        let b = shelf.put(vec![2], "image/png", Duration::from_millis(0));
        assert_ne!(a, b);
        assert_eq!(a.len(), 32, "128 random bits");
        assert_eq!(shelf.get(&a).unwrap().0.as_slice(), &[1]);
        assert!(shelf.get(&b).is_none(), "lapsed");
        shelf.remove(&a);
        assert!(shelf.get(&a).is_none(), "withdrawn");
        assert!(shelf.is_empty());
    }
}
