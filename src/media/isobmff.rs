//! MP4 and QuickTime (the ISO base media file format): the brand, and from the index (`moov`)
//! the duration, the video track's frame count and its size as shown.
//!
//! Only the index is read, never the pictures, and every count in it is checked against the
//! bytes actually there before it is used, so a lying file is refused rather than trusted.

use super::bytes::{array, i32_be, u16_be, u32_be, u64_be};
use super::{AssetType, MediaContainer, ProbeError};

/// One box: its four-letter type and what is inside it.
struct BoxRef<'a> {
    kind: [u8; 4],
    body: &'a [u8],
}

/// The boxes laid end to end in `data`. At the file's top level a box that runs past the end
/// means the file was cut short; inside another box it means the file is damaged.
struct Boxes<'a> {
    data: &'a [u8],
    pos: usize,
    top: bool,
    done: bool,
}

fn boxes(data: &[u8], top: bool) -> Boxes<'_> {
    Boxes {
        data,
        pos: 0,
        top,
        done: false,
    }
}

impl<'a> Boxes<'a> {
    fn overrun(&self) -> ProbeError {
        if self.top {
            ProbeError::Truncated
        } else {
            ProbeError::Damaged("a part of it runs past the part it belongs to")
        }
    }

    /// The box at the front of `rest` and its whole length; `Err(None)` is a clean end.
    fn parse(&self, rest: &'a [u8]) -> Result<(BoxRef<'a>, usize), Option<ProbeError>> {
        let (Some(size32), Some(kind)) = (u32_be(rest, 0), array::<4>(rest, 4)) else {
            // QuickTime ends some lists with a 32-bit zero, and some writers pad with zeros.
            return Err(if rest.iter().all(|&b| b == 0) {
                None
            } else {
                Some(self.overrun())
            });
        };
        let (size, header) = match size32 {
            // "To the end of the file" (or of the enclosing box).
            0 => (rest.len() as u64, 8),
            1 => match u64_be(rest, 8) {
                Some(large) => (large, 16),
                None => return Err(Some(self.overrun())),
            },
            n => (u64::from(n), 8),
        };
        if size < header as u64 {
            return Err(Some(ProbeError::Damaged(
                "a part of it has an impossible size",
            )));
        }
        if size > rest.len() as u64 {
            return Err(Some(self.overrun()));
        }
        let size = size as usize;
        let start = if &kind == b"uuid" {
            header + 16
        } else {
            header
        };
        if start > size {
            return Err(Some(ProbeError::Damaged(
                "a part of it has an impossible size",
            )));
        }
        Ok((
            BoxRef {
                kind,
                body: &rest[start..size],
            },
            size,
        ))
    }
}

impl<'a> Iterator for Boxes<'a> {
    type Item = Result<BoxRef<'a>, ProbeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rest = self.data.get(self.pos..).unwrap_or_default();
        if rest.is_empty() {
            self.done = true;
            return None;
        }
        match self.parse(rest) {
            Ok((b, len)) => {
                self.pos += len;
                Some(Ok(b))
            }
            Err(end) => {
                self.done = true;
                end.map(Err)
            }
        }
    }
}

/// Whether the bytes are an ISO base media file at all (`None`: not this family), and if so
/// which container the provider would see.
pub(super) fn identify(bytes: &[u8]) -> Option<Result<MediaContainer, ProbeError>> {
    let size32 = u32_be(bytes, 0)?;
    let kind = array::<4>(bytes, 4)?;
    if (2..8).contains(&size32) {
        return None;
    }
    match &kind {
        b"ftyp" => Some(boxes(bytes, true).next()?.and_then(|b| brand(b.body))),
        // QuickTime before 2001 wrote no file type box.
        b"moov" | b"mdat" | b"wide" | b"free" | b"skip" | b"pnot" => Some(Ok(MediaContainer::Mov)),
        _ => None,
    }
}

/// The container from the file type box's major brand. HEIF and AVIF photos use the same
/// boxes, so their brands are named for what they are.
fn brand(ftyp: &[u8]) -> Result<MediaContainer, ProbeError> {
    let major = array::<4>(ftyp, 0).ok_or(ProbeError::Damaged("its file type is cut off"))?;
    let image = |what| ProbeError::Unsupported {
        what,
        kind: Some(AssetType::Image),
    };
    match &major {
        b"qt  " => Ok(MediaContainer::Mov),
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"mif1" | b"msf1" => {
            Err(image("a HEIC image"))
        }
        b"avif" | b"avis" => Err(image("an AVIF image")),
        b"crx " => Err(image("a Canon raw photo")),
        _ => Ok(MediaContainer::Mp4),
    }
}

/// What the index says about one track.
#[derive(Debug, Default)]
struct Track {
    id: u32,
    handler: [u8; 4],
    /// Size as shown (16.16 in `tkhd`, rounded), falling back to the coded size in `stsd`.
    width: u32,
    height: u32,
    /// The display matrix turns the picture a quarter (90° or 270°): width and height swap.
    quarter_turn: bool,
    timescale: u32,
    /// `mdhd`'s duration; `None` when zero or marked unknown (all ones).
    media_duration: Option<u64>,
    /// From `stts`: samples (frames, for video) and their total time.
    samples: u64,
    sample_time: u64,
    /// From movie fragments (`moof`), added to the above.
    fragment_samples: u64,
    fragment_time: u64,
    /// `trex`'s default sample duration, for fragments that give none.
    default_sample_duration: u32,
}

impl Track {
    fn is_video(&self) -> bool {
        &self.handler == b"vide"
    }

    fn frames(&self) -> u64 {
        self.samples.saturating_add(self.fragment_samples)
    }

    /// The track's length in its own timescale.
    fn ticks(&self) -> u64 {
        self.media_duration
            .unwrap_or(self.sample_time)
            .saturating_add(self.fragment_time)
    }
}

/// What the whole file adds up to.
#[derive(Debug)]
pub(super) struct Movie {
    pub duration_ms: u64,
    pub fps: Option<f32>,
    pub width_px: Option<u32>,
    pub height_px: Option<u32>,
    /// There is a video track (an M4A has sound only).
    pub has_video: bool,
}

pub(super) fn measure(bytes: &[u8]) -> Result<Movie, ProbeError> {
    let mut moov = None;
    // Slices of the input: at most one per 8 bytes of it.
    let mut moofs = Vec::new();
    // Every top-level box is walked, so a cut-short `mdat` is caught even when `moov` came first.
    let mut top = boxes(bytes, true);
    while let Some(b) = top.next() {
        let b = match b {
            Ok(b) => b,
            // Some tools leave bytes after the last box that are no box at all (no four-letter
            // type): players ignore them, and so does the provider's ffprobe. A real box that
            // runs past the end is a cut-short file.
            Err(_) if moov.is_some() && trailing_junk(bytes.get(top.pos..).unwrap_or_default()) => {
                tracing::debug!(at = top.pos, "junk after the last box, ignored");
                break;
            }
            Err(e) => return Err(e),
        };
        match &b.kind {
            b"moov" if moov.is_none() => moov = Some(b.body),
            b"moof" => moofs.push(b.body),
            _ => {}
        }
    }
    let moov = moov.ok_or(ProbeError::Damaged(
        "it has no index (moov box), so the recording may not have finished",
    ))?;
    let (movie_time, mut tracks) = read_moov(moov)?;
    for moof in moofs {
        read_moof(moof, &mut tracks)?;
    }
    if tracks.is_empty() {
        return Err(ProbeError::Damaged("it holds no tracks"));
    }

    // A cover picture is a one-frame video track too: the moving picture has the most frames.
    let video = tracks
        .iter()
        .filter(|t| t.is_video())
        .max_by_key(|t| t.frames());
    let track_ms = |t: &Track| super::bytes::to_ms(t.ticks(), u64::from(t.timescale));
    let duration_ms = movie_time
        .and_then(|(time, scale)| super::bytes::to_ms(time, u64::from(scale)))
        .filter(|&ms| ms > 0)
        .or_else(|| video.and_then(track_ms).filter(|&ms| ms > 0))
        .or_else(|| tracks.iter().filter_map(track_ms).max())
        .unwrap_or(0);
    let fps = video.and_then(|t| {
        let ticks = t.ticks();
        (ticks > 0 && t.timescale > 0 && t.frames() > 0)
            .then(|| (t.frames() as f64 * f64::from(t.timescale) / ticks as f64) as f32)
    });
    let (width_px, height_px) = match video {
        Some(t) if t.width > 0 && t.height > 0 => {
            if t.quarter_turn {
                (Some(t.height), Some(t.width))
            } else {
                (Some(t.width), Some(t.height))
            }
        }
        _ => (None, None),
    };
    tracing::debug!(
        tracks = tracks.len(),
        duration_ms,
        ?fps,
        ?width_px,
        ?height_px,
        "read an MP4/MOV index"
    );
    Ok(Movie {
        duration_ms,
        fps,
        width_px,
        height_px,
        has_video: video.is_some(),
    })
}

/// At least a box header's worth of bytes whose "type" is not four letters, digits or spaces.
fn trailing_junk(rest: &[u8]) -> bool {
    array::<4>(rest, 4).is_some_and(|kind| {
        !kind
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b' ' || c == b'-' || c == b'_')
    })
}

const TOO_SHORT: ProbeError = ProbeError::Damaged("a part of its index is too short");

/// `mvhd`'s duration and timescale, when it states a duration.
type MovieTime = Option<(u64, u32)>;

/// (`mvhd`'s time, the tracks).
fn read_moov(moov: &[u8]) -> Result<(MovieTime, Vec<Track>), ProbeError> {
    let mut movie_time = None;
    let mut tracks = Vec::new();
    let mut defaults = Vec::new();
    for b in boxes(moov, false) {
        let b = b?;
        match &b.kind {
            b"mvhd" => {
                let (scale, duration) = header_time(b.body)?;
                movie_time = (duration > 0).then_some((duration, scale));
            }
            b"trak" => tracks.push(read_trak(b.body)?),
            b"mvex" => {
                for e in boxes(b.body, false) {
                    let e = e?;
                    if &e.kind == b"trex" {
                        let id = u32_be(e.body, 4).ok_or(TOO_SHORT)?;
                        let duration = u32_be(e.body, 12).ok_or(TOO_SHORT)?;
                        defaults.push((id, duration));
                    }
                }
            }
            _ => {}
        }
    }
    for (id, duration) in defaults {
        if let Some(t) = tracks.iter_mut().find(|t| t.id == id) {
            t.default_sample_duration = duration;
        }
    }
    Ok((movie_time, tracks))
}

/// `mvhd` and `mdhd` start the same way: (timescale, duration), the duration 0 when unknown
/// (all ones).
fn header_time(b: &[u8]) -> Result<(u32, u64), ProbeError> {
    let (scale, duration) = match b.first() {
        Some(0) => {
            let d = u32_be(b, 16).ok_or(TOO_SHORT)?;
            let d = if d == u32::MAX { 0 } else { u64::from(d) };
            (u32_be(b, 12).ok_or(TOO_SHORT)?, d)
        }
        Some(1) => {
            let d = u64_be(b, 24).ok_or(TOO_SHORT)?;
            let d = if d == u64::MAX { 0 } else { d };
            (u32_be(b, 20).ok_or(TOO_SHORT)?, d)
        }
        Some(_) => return Err(ProbeError::Damaged("its index has an unknown version")),
        None => return Err(TOO_SHORT),
    };
    if scale == 0 {
        return Err(ProbeError::Damaged("its clock rate is zero"));
    }
    Ok((scale, duration))
}

fn read_trak(trak: &[u8]) -> Result<Track, ProbeError> {
    let mut t = Track::default();
    for b in boxes(trak, false) {
        let b = b?;
        match &b.kind {
            b"tkhd" => read_tkhd(b.body, &mut t)?,
            b"mdia" => {
                for m in boxes(b.body, false) {
                    let m = m?;
                    match &m.kind {
                        b"mdhd" => {
                            let (scale, duration) = header_time(m.body)?;
                            t.timescale = scale;
                            t.media_duration = (duration > 0).then_some(duration);
                        }
                        b"hdlr" => t.handler = array(m.body, 8).ok_or(TOO_SHORT)?,
                        b"minf" => read_minf(m.body, &mut t)?,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(t)
}

fn read_tkhd(b: &[u8], t: &mut Track) -> Result<(), ProbeError> {
    let (id_at, matrix_at) = match b.first() {
        Some(0) => (12, 40),
        Some(1) => (20, 52),
        Some(_) => return Err(ProbeError::Damaged("its index has an unknown version")),
        None => return Err(TOO_SHORT),
    };
    t.id = u32_be(b, id_at).ok_or(TOO_SHORT)?;
    let m = |i: usize| i32_be(b, matrix_at + 4 * i).ok_or(TOO_SHORT);
    // The matrix is {a b u; c d v; x y w}: a quarter turn has a = d = 0 and b, c = ±1.
    let (a, bb, c, d) = (m(0)?, m(1)?, m(3)?, m(4)?);
    t.quarter_turn = a == 0 && d == 0 && bb != 0 && c != 0;
    let fixed = |at| {
        u32_be(b, at)
            .map(|v| ((u64::from(v) + 0x8000) >> 16) as u32)
            .ok_or(TOO_SHORT)
    };
    let (w, h) = (fixed(matrix_at + 36)?, fixed(matrix_at + 40)?);
    if w > 0 && h > 0 {
        (t.width, t.height) = (w, h);
    }
    Ok(())
}

fn read_minf(minf: &[u8], t: &mut Track) -> Result<(), ProbeError> {
    for b in boxes(minf, false) {
        let b = b?;
        if &b.kind != b"stbl" {
            continue;
        }
        for s in boxes(b.body, false) {
            let s = s?;
            match &s.kind {
                b"stts" => {
                    let count = u32_be(s.body, 4).ok_or(TOO_SHORT)?;
                    // The count is checked against the bytes before a single entry is read.
                    if u64::from(count) * 8 > (s.body.len() as u64).saturating_sub(8) {
                        return Err(ProbeError::Damaged(
                            "its frame table says it is longer than it is",
                        ));
                    }
                    for i in 0..count as usize {
                        let n = u32_be(s.body, 8 + i * 8).ok_or(TOO_SHORT)?;
                        let delta = u32_be(s.body, 12 + i * 8).ok_or(TOO_SHORT)?;
                        t.samples = t.samples.saturating_add(u64::from(n));
                        t.sample_time = t
                            .sample_time
                            .saturating_add(u64::from(n) * u64::from(delta));
                    }
                }
                // The coded size, for a `tkhd` that gives none. Only the first entry matters.
                b"stsd" if t.width == 0 || t.height == 0 => {
                    if let (Some(w), Some(h)) = (u16_be(s.body, 40), u16_be(s.body, 42)) {
                        if w > 0 && h > 0 {
                            (t.width, t.height) = (u32::from(w), u32::from(h));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Adds a movie fragment's samples and time to its tracks.
fn read_moof(moof: &[u8], tracks: &mut [Track]) -> Result<(), ProbeError> {
    for traf in boxes(moof, false) {
        let traf = traf?;
        if &traf.kind != b"traf" {
            continue;
        }
        let mut track: Option<usize> = None;
        let mut default_duration = 0u32;
        for b in boxes(traf.body, false) {
            let b = b?;
            match &b.kind {
                b"tfhd" => {
                    let flags = u32_be(b.body, 0).ok_or(TOO_SHORT)? & 0x00FF_FFFF;
                    let id = u32_be(b.body, 4).ok_or(TOO_SHORT)?;
                    track = tracks.iter().position(|t| t.id == id);
                    default_duration = track.map_or(0, |i| tracks[i].default_sample_duration);
                    // Optional fields, in order: base offset (8), description index (4), then
                    // the default duration.
                    let mut at = 8;
                    if flags & 0x01 != 0 {
                        at += 8;
                    }
                    if flags & 0x02 != 0 {
                        at += 4;
                    }
                    if flags & 0x08 != 0 {
                        default_duration = u32_be(b.body, at).ok_or(TOO_SHORT)?;
                    }
                }
                b"trun" => {
                    let Some(i) = track else { continue };
                    let (samples, time) = read_trun(b.body, default_duration)?;
                    let t = &mut tracks[i];
                    t.fragment_samples = t.fragment_samples.saturating_add(samples);
                    t.fragment_time = t.fragment_time.saturating_add(time);
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// (samples, their total time) in one track run.
fn read_trun(b: &[u8], default_duration: u32) -> Result<(u64, u64), ProbeError> {
    let flags = u32_be(b, 0).ok_or(TOO_SHORT)? & 0x00FF_FFFF;
    let count = u32_be(b, 4).ok_or(TOO_SHORT)?;
    let mut at = 8;
    if flags & 0x001 != 0 {
        at += 4; // data offset
    }
    if flags & 0x004 != 0 {
        at += 4; // first sample's flags
    }
    // Duration, size, flags, composition offset: 4 bytes each when present.
    let per_sample = 4 * (flags & 0xF00).count_ones() as usize;
    if per_sample > 0
        && (count as u64) * (per_sample as u64) > (b.len() as u64).saturating_sub(at as u64)
    {
        return Err(ProbeError::Damaged(
            "a fragment's frame table says it is longer than it is",
        ));
    }
    if flags & 0x100 == 0 {
        return Ok((
            u64::from(count),
            u64::from(count) * u64::from(default_duration),
        ));
    }
    let mut time = 0u64;
    for i in 0..count as usize {
        let d = u32_be(b, at + i * per_sample).ok_or(TOO_SHORT)?;
        time = time.saturating_add(u64::from(d));
    }
    Ok((u64::from(count), time))
}
