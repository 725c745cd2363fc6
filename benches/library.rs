//! The library at 10,000 faces: opening the SQLite file and listing it (what the window does when
//! the Library tab opens), the same list with every preview (what it did before), and the search
//! over the list on a keystroke.
//!
//! The file is made on first run in `target/library-bench/` (10,000 rows across the five
//! providers: `ta_…` faces, portraits and BytePlus people with photos, videos and voice clips;
//! every photo with a real 256 px preview, as enrollment makes them; every row with a consent
//! record) and reused after. Delete the folder to make it again.
//!
//! With `LIKENESS_BENCH_DATABASE_URL` set (an empty database on a PostgreSQL server, e.g. the
//! cluster `scripts/pg-cluster start` makes), the same file is moved into it once with
//! `library migrate`'s copy, and the open, the list and the search run there too, side by side.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use likeness::library::{self, FaceKind, Library};
use likeness::providers::ProviderKind;

const FACES: usize = 10_000;
/// Bump when the rows made change, so an old file is not reused.
const VERSION: u32 = 1;

const FIRST: [&str; 40] = [
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "Linus",
    "Margaret",
    "Dennis",
    "Radia",
    "Ken",
    "Hedy",
    "John",
    "Shafi",
    "Tim",
    "Sophie",
    "Guido",
    "Anita",
    "Bjarne",
    "Karen",
    "Niklaus",
    "Adele",
    "Leslie",
    "Mary",
    "Claude",
    "Jean",
    "Yukihiro",
    "Joan",
    "Brian",
    "Lynn",
    "Rob",
    "Fran",
    "Larry",
    "Marissa",
    "Satoshi",
    "Zoë",
    "Ngozi",
    "Søren",
];
const LAST: [&str; 50] = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Johnson",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Perlman",
    "Thompson",
    "Lamarr",
    "McCarthy",
    "Goldwasser",
    "Berners-Lee",
    "Wilson",
    "van Rossum",
    "Borg",
    "Stroustrup",
    "Spärck Jones",
    "Wirth",
    "Goldberg",
    "Lamport",
    "Keller",
    "Shannon",
    "Sammet",
    "Matsumoto",
    "Clarke",
    "Kernighan",
    "Conway",
    "Pike",
    "Kelly",
    "Page",
    "Mayer",
    "Tajiri",
    "Wilkes",
    "Okonjo",
    "Kierkegaard",
    "Backus",
    "Naur",
    "Hoare",
    "Milner",
    "Floyd",
    "Rivest",
    "Shamir",
    "Adleman",
    "Diffie",
    "Hellman",
];

/// A real preview, as enrollment makes it (a 256 px JPEG as a data URL, ~12 KB).
fn thumbnail() -> String {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/photos/astronaut.jpg"
    ))
    .expect("astronaut fixture");
    likeness::photo::examine_bytes(
        "https://x/a.jpg",
        &bytes,
        &likeness::photo::PhotoLimits::blockrun(),
    )
    .expect("preview")
    .thumbnail
}

/// The 10,000-face file, made once.
fn library_file() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/library-bench");
    let path = dir.join(format!("faces-{FACES}-v{VERSION}.sqlite3"));
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(&dir).expect("bench dir");
    let partial = dir.join("making.sqlite3");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    drop(Library::open(&partial).expect("create the schema"));
    fill(&partial);
    std::fs::rename(&partial, &path).expect("keep the bench file");
    path
}

fn fill(path: &Path) {
    let thumb = thumbnail();
    let mut conn = rusqlite::Connection::open(path).expect("open");
    let tx = conn.transaction().expect("transaction");
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO faces (asset_id, provider, kind, name, image_url, thumbnail, group_id,
                     enrolled_at_ms, price_usd, tx_hash, photo_override, asset_type, status,
                     status_message, consent_operator, consent_at_ms, liveness_ref, photo_sha256,
                     payment_ref)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19)",
            )
            .expect("prepare");
        let mut person = 0usize;
        let mut i = 0usize;
        let t0: i64 = 1_767_225_600_000; // 2026-01-01
        while i < FACES {
            person += 1;
            let name = format!(
                "{} {}",
                FIRST[person % FIRST.len()],
                LAST[(person / FIRST.len()) % LAST.len()]
            );
            let provider = ProviderKind::ALL[person % ProviderKind::ALL.len()];
            let byteplus = matches!(provider, ProviderKind::Anyfast | ProviderKind::Crun);
            let session = format!("ses_{person:016x}");
            let group = if byteplus {
                format!("group-20260702{person:06}-a1b2c")
            } else {
                format!("legacy_rf_{person}")
            };
            // BytePlus people hold a photo, often a video and a voice clip; others one face.
            let files: &[&str] = if byteplus {
                match person % 3 {
                    0 => &["image"],
                    1 => &["image", "video"],
                    _ => &["image", "video", "audio"],
                }
            } else {
                &["image"]
            };
            for (n, asset_type) in files.iter().enumerate() {
                if i == FACES {
                    break;
                }
                let portrait = !byteplus && person.is_multiple_of(5);
                let kind = if byteplus {
                    "asset"
                } else if portrait {
                    "portrait"
                } else {
                    "real_face"
                };
                let asset_id = if byteplus {
                    format!("asset-20260702{i:08}-{n}")
                } else {
                    format!("ta_{i:032x}")
                };
                let paid_x402 = !byteplus && person.is_multiple_of(2);
                let at = t0 + i as i64 * 60_000;
                insert
                    .execute(rusqlite::params![
                        asset_id,
                        provider.as_str(),
                        kind,
                        name,
                        format!("https://photos.example.com/{person}/{n}.{asset_type}"),
                        (*asset_type == "image").then_some(thumb.as_str()),
                        (!portrait).then_some(group.as_str()),
                        at,
                        (!byteplus).then_some("0.010000"),
                        paid_x402.then(|| format!("0x{i:064x}")),
                        i.is_multiple_of(50).then_some("face_count"),
                        asset_type,
                        if i.is_multiple_of(97) {
                            "failed"
                        } else {
                            "active"
                        },
                        i.is_multiple_of(97)
                            .then_some("The face does not match the person verified."),
                        "Grace Hopper",
                        at,
                        (!portrait).then(|| format!("{session} / group {group}")),
                        format!("{i:064x}"),
                        if paid_x402 {
                            format!("x402:pay_{i:016x}")
                        } else {
                            format!("account:{}", provider.as_str())
                        },
                    ])
                    .expect("insert");
                i += 1;
            }
        }
    }
    tx.commit().expect("commit");
}

fn library(c: &mut Criterion) {
    let path = library_file();
    let size_mb = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let lib = Library::open(&path).expect("open");
    let rows = lib.face_summaries().expect("list");
    assert_eq!(rows.len(), FACES);
    let json = serde_json::to_vec(&rows).expect("json");
    eprintln!(
        "{}: {size_mb:.1} MB, {} rows; the list as JSON (what crosses IPC) is {:.2} MB",
        path.display(),
        rows.len(),
        json.len() as f64 / 1e6
    );
    for (q, p, k) in [
        ("ada", None, None),
        ("a", None, None),
        ("zoë", None, None),
        ("hopper", Some(ProviderKind::Anyfast), Some(FaceKind::Asset)),
    ] {
        eprintln!(
            "filter {q:?} {p:?} {k:?}: {} of {FACES}",
            library::filter(&rows, q, p, k).len()
        );
    }

    let mut g = c.benchmark_group("library_10k");
    g.sample_size(20).measurement_time(Duration::from_secs(6));
    g.bench_function("open_and_list", |b| {
        b.iter(|| {
            let lib = Library::open(black_box(&path)).unwrap();
            lib.face_summaries().unwrap()
        })
    });
    g.bench_function("list", |b| b.iter(|| lib.face_summaries().unwrap()));
    g.bench_function("list_as_ipc_json", |b| {
        b.iter(|| serde_json::to_vec(&lib.face_summaries().unwrap()).unwrap())
    });
    g.bench_function("list_full_with_previews", |b| {
        b.iter(|| lib.faces().unwrap())
    });
    g.bench_function("one_thumbnail", |b| {
        b.iter(|| {
            lib.face_thumbnail(black_box(&rows[5_000].asset_id))
                .unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("library_filter_10k");
    g.sample_size(50);
    g.bench_function("search_ada", |b| {
        b.iter(|| library::filter(black_box(&rows), black_box("ada"), None, None).len())
    });
    g.bench_function("search_one_letter", |b| {
        b.iter(|| library::filter(black_box(&rows), black_box("a"), None, None).len())
    });
    g.bench_function("search_non_ascii", |b| {
        b.iter(|| library::filter(black_box(&rows), black_box("zoë"), None, None).len())
    });
    g.bench_function("search_provider_and_kind", |b| {
        b.iter(|| {
            library::filter(
                black_box(&rows),
                black_box("hopper"),
                Some(ProviderKind::Anyfast),
                Some(FaceKind::Asset),
            )
            .len()
        })
    });
    g.finish();
}

/// The same 10,000 rows in the studio's shared database, over loopback.
fn library_postgres(c: &mut Criterion) {
    let Ok(url) = std::env::var("LIKENESS_BENCH_DATABASE_URL") else {
        eprintln!("library_10k_postgres skipped: LIKENESS_BENCH_DATABASE_URL is not set");
        return;
    };
    let file = Library::open(&library_file()).expect("open the bench file");
    let lib = Library::connect(&url, None, "bench").expect("connect");
    if lib.face_summaries().expect("list").len() != FACES {
        let t = std::time::Instant::now();
        file.copy_into(&lib).expect("copy the bench file in");
        eprintln!("copied {FACES} faces into {url} in {:?}", t.elapsed());
    }
    let rows = lib.face_summaries().expect("list");
    assert_eq!(rows.len(), FACES);
    assert_eq!(rows, file.face_summaries().expect("list the file"));

    let mut g = c.benchmark_group("library_10k_postgres");
    g.sample_size(20).measurement_time(Duration::from_secs(6));
    g.bench_function("connect_and_list", |b| {
        b.iter(|| {
            let lib = Library::connect(black_box(&url), None, "bench").unwrap();
            lib.face_summaries().unwrap()
        })
    });
    g.bench_function("list", |b| b.iter(|| lib.face_summaries().unwrap()));
    g.bench_function("list_as_ipc_json", |b| {
        b.iter(|| serde_json::to_vec(&lib.face_summaries().unwrap()).unwrap())
    });
    g.bench_function("one_thumbnail", |b| {
        b.iter(|| {
            lib.face_thumbnail(black_box(&rows[5_000].asset_id))
                .unwrap()
        })
    });
    g.bench_function("search_ada", |b| {
        b.iter(|| library::filter(black_box(&rows), black_box("ada"), None, None).len())
    });
    g.finish();
}

criterion_group!(benches, library, library_postgres);
criterion_main!(benches);
