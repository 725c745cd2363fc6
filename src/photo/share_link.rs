//! Share links from cloud drives open a web page about the file, not the file, so a producer who
//! pastes one would meet "That is not an image file". Where the drive's link format allows it,
//! the link becomes the direct download of the same file; other links are left as they are.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use url::Url;

/// The direct download for a Google Drive, Dropbox or OneDrive share link; `None` for any other
/// link, which is used as given.
pub fn direct_link(url: &Url) -> Option<Url> {
    let host = url.host_str()?.to_ascii_lowercase();
    match host.as_str() {
        "drive.google.com" => google_drive(url),
        "www.dropbox.com" | "dropbox.com" => dropbox(url),
        "1drv.ms" | "onedrive.live.com" => Some(onedrive(url)),
        _ => None,
    }
}

/// `…/file/d/<id>/view?usp=sharing` and `…/open?id=<id>` → `…/uc?export=download&id=<id>`.
fn google_drive(url: &Url) -> Option<Url> {
    let segments: Vec<&str> = url.path_segments()?.collect();
    let id = match segments.as_slice() {
        ["file", "d", id, ..] => Some((*id).to_string()),
        ["open"] | ["uc"] => url
            .query_pairs()
            .find(|(k, _)| k == "id")
            .map(|(_, v)| v.into_owned()),
        _ => None,
    }?;
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    let mut direct = Url::parse("https://drive.google.com/uc").ok()?;
    direct
        .query_pairs_mut()
        .append_pair("export", "download")
        .append_pair("id", &id);
    Some(direct)
}

/// A Dropbox file link with `dl=0` (the preview page) → `dl=1` (the file); `rlkey` and the
/// rest of the query are kept, since newer links do not open without them.
fn dropbox(url: &Url) -> Option<Url> {
    let first = url.path_segments()?.next()?;
    if !matches!(first, "s" | "scl") {
        return None;
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "dl" && k != "raw")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut direct = url.clone();
    direct.set_query(None);
    {
        let mut q = direct.query_pairs_mut();
        for (k, v) in &kept {
            q.append_pair(k, v);
        }
        q.append_pair("dl", "1");
    }
    Some(direct)
}

/// OneDrive's documented share API: `u!` + the unpadded base64url of the share link, whose
/// `/root/content` is the file itself.
fn onedrive(url: &Url) -> Url {
    let encoded = URL_SAFE_NO_PAD.encode(url.as_str());
    Url::parse(&format!(
        "https://api.onedrive.com/v1.0/shares/u!{encoded}/root/content"
    ))
    .expect("a base64url share id is a valid path segment")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(raw: &str) -> Option<String> {
        direct_link(&Url::parse(raw).unwrap()).map(|u| u.to_string())
    }

    #[test]
    fn google_drive_share_links_become_downloads() {
        let want = "https://drive.google.com/uc?export=download&id=1AbC-d_9";
        assert_eq!(
            direct("https://drive.google.com/file/d/1AbC-d_9/view?usp=sharing").as_deref(),
            Some(want)
        );
        assert_eq!(
            direct("https://drive.google.com/open?id=1AbC-d_9").as_deref(),
            Some(want)
        );
        assert_eq!(direct("https://drive.google.com/drive/folders/1AbC"), None);
    }

    #[test]
    fn dropbox_previews_become_files_and_keep_their_key() {
        assert_eq!(
            direct("https://www.dropbox.com/scl/fi/abc123/ada.jpg?rlkey=k9z&dl=0").as_deref(),
            Some("https://www.dropbox.com/scl/fi/abc123/ada.jpg?rlkey=k9z&dl=1")
        );
        assert_eq!(
            direct("https://www.dropbox.com/s/xyz/ada.jpg?dl=0").as_deref(),
            Some("https://www.dropbox.com/s/xyz/ada.jpg?dl=1")
        );
        assert_eq!(direct("https://www.dropbox.com/home"), None);
    }

    #[test]
    fn onedrive_links_go_through_the_share_api() {
        let link = "https://1drv.ms/i/s!AkZ3wXyZ";
        let got = direct(link).unwrap();
        let id = got
            .strip_prefix("https://api.onedrive.com/v1.0/shares/u!")
            .and_then(|rest| rest.strip_suffix("/root/content"))
            .unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(id).unwrap(), link.as_bytes());
    }

    #[test]
    fn other_links_are_used_as_given() {
        assert_eq!(direct("https://studio.example/ada.jpg"), None);
        assert_eq!(direct("https://photos.google.com/share/x"), None);
    }
}
