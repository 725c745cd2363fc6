//! Which phones reached this server: the first time the liveness page asks for its session,
//! and the Phone test page. Only Rehearsal can know this, because only here is the page ours;
//! the app shows it as "Phone connected" and never asks a real provider for it.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::broadcast;

/// What a phone opened.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PhonePage {
    /// The liveness page for this session token (BlockRun's `sessionToken`, BytePlus's
    /// `bytedToken`).
    Liveness(String),
    /// Settings → Phone test, for this nonce.
    Test(String),
}

impl PhonePage {
    /// The liveness page a link this server wrote points at.
    pub fn of_link(link: &str) -> Option<PhonePage> {
        let url = url::Url::parse(link).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == "sessionToken" || k == "bytedToken")
            .map(|(_, v)| PhonePage::Liveness(v.into_owned()))
            .filter(|p| !matches!(p, PhonePage::Liveness(t) if t.is_empty()))
    }
}

/// First sightings, in memory only: a restart forgets them, and a phone that opens the page
/// again after one is seen again.
#[derive(Debug)]
pub struct PhoneSightings {
    first_seen_ms: Mutex<HashMap<PhonePage, i64>>,
    seen: broadcast::Sender<PhonePage>,
}

impl Default for PhoneSightings {
    fn default() -> Self {
        PhoneSightings {
            first_seen_ms: Mutex::new(HashMap::new()),
            seen: broadcast::channel(64).0,
        }
    }
}

impl PhoneSightings {
    /// Records a sighting at `now_ms`, announcing only the first.
    pub fn saw(&self, page: PhonePage, now_ms: i64) {
        let first = {
            let mut seen = self.first_seen_ms.lock().unwrap_or_else(|p| p.into_inner());
            let first = !seen.contains_key(&page);
            seen.entry(page.clone()).or_insert(now_ms);
            first
        };
        if first {
            tracing::info!(?page, "rehearsal: a phone opened the page");
            let _ = self.seen.send(page);
        }
    }

    /// When a phone first opened `page`, in epoch milliseconds.
    pub fn first_seen_ms(&self, page: &PhonePage) -> Option<i64> {
        self.first_seen_ms
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(page)
            .copied()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<PhonePage> {
        self.seen.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_names_its_page_by_either_token() {
        assert_eq!(
            PhonePage::of_link(
                "http://192.168.1.20:8402/h5/?accessKeyId=rehearsal&sessionToken=abc&configId=g"
            ),
            Some(PhonePage::Liveness("abc".into()))
        );
        assert_eq!(
            PhonePage::of_link("http://h:1/h5/?bytedToken=xyz&configId=c"),
            Some(PhonePage::Liveness("xyz".into()))
        );
        assert_eq!(PhonePage::of_link("http://h:1/h5/?sessionToken="), None);
        assert_eq!(PhonePage::of_link("not a link"), None);
    }

    #[test]
    fn only_the_first_sighting_is_announced_and_kept() {
        let sightings = PhoneSightings::default();
        let mut rx = sightings.subscribe();
        let page = PhonePage::Liveness("tok".into());
        sightings.saw(page.clone(), 1_000);
        sightings.saw(page.clone(), 2_000);
        assert_eq!(sightings.first_seen_ms(&page), Some(1_000));
        assert_eq!(rx.try_recv().unwrap(), page);
        assert!(rx.try_recv().is_err(), "the second sighting is not news");
        assert_eq!(sightings.first_seen_ms(&PhonePage::Test("n".into())), None);
    }
}
