//! The crate boundaries the architecture promises, checked on the source.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out
}

/// Rehearsal is a test double: a client that imported it could learn a behaviour only Rehearsal
/// has. Only the places that start it (the stage, the CLI's `rehearsal serve`) and the settings
/// that configure it may name it.
#[test]
fn the_client_never_imports_rehearsal() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed = [
        src.join("stage.rs"),
        src.join("settings.rs"),
        src.join("cli"),
    ];
    let mut offences = Vec::new();
    for path in rust_files(&src) {
        if allowed.iter().any(|a| path.starts_with(a)) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("rehearsal::") {
                offences.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "the client imports Rehearsal:\n{}",
        offences.join("\n")
    );
    assert!(
        !src.join("rehearsal").exists(),
        "Rehearsal lives in its own crate (rehearsal/), not in the core"
    );
}
