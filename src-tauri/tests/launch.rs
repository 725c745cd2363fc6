//! How the app starts where it cannot show a window: one plain line and exit code 2, never a
//! GTK panic with a backtrace.

#[test]
#[cfg(target_os = "linux")]
fn without_a_display_the_app_says_so_in_one_line_and_exits_2() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_likeness-studio"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("needs a display"), "{stderr}");
    assert!(stderr.contains("`likeness` command"), "{stderr}");
    assert!(out.stdout.is_empty());
}
