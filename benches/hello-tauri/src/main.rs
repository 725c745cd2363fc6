//! One window, one static page, no plugins, no commands: what any Tauri 2 app costs.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("hello-tauri failed to start");
}
