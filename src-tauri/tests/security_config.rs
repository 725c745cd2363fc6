//! The webview's fences, read from the files that set them (docs/SECURITY.md explains each):
//! the CSP and the other security settings in tauri.conf.json, the capabilities, the bundled
//! UI's own page, and Tauri's refusal of IPC from any page that is not the app's own.
//! A change that loosens any of them fails here and has to be argued for in docs/SECURITY.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use likeness::library::Library;
use likeness::secrets::MemoryStore;
use likeness::settings::Settings;
use likeness::stage::StageOptions;
use likeness_studio_lib::AppState;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindowBuilder};

fn shell_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn config() -> Value {
    read_json(&shell_dir().join("tauri.conf.json"))
}

/// What each CSP directive may contain. A directive may allow less; more fails.
fn allowed_csp() -> BTreeMap<&'static str, Vec<&'static str>> {
    BTreeMap::from([
        ("default-src", vec!["'self'"]),
        // Only the bundle's own files: no inline script, no eval, no data:/blob: scripts.
        ("script-src", vec!["'self'"]),
        // Svelte sets style attributes (transitions, the virtual list's offsets).
        ("style-src", vec!["'self'", "'unsafe-inline'"]),
        // Photos and QR codes come from the backend as data: URLs; nothing is loaded from the web.
        ("img-src", vec!["'self'", "data:"]),
        // A finished video is read through the asset protocol and played as a blob: URL.
        ("media-src", vec!["'self'", "blob:"]),
        ("font-src", vec!["'self'"]),
        // Tauri's IPC and asset protocols (custom scheme on Linux/macOS, http://*.localhost on
        // Windows); no web origin.
        (
            "connect-src",
            vec![
                "ipc:",
                "http://ipc.localhost",
                "asset:",
                "http://asset.localhost",
            ],
        ),
        ("object-src", vec!["'none'"]),
        ("base-uri", vec!["'none'"]),
        ("form-action", vec!["'none'"]),
        ("frame-ancestors", vec!["'none'"]),
    ])
}

/// The CSP as directive → sources, whether written as one string or as Tauri's object form.
fn csp_directives(csp: &Value) -> BTreeMap<String, Vec<String>> {
    let split = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    match csp {
        Value::String(s) => s
            .split(';')
            .filter(|d| !d.trim().is_empty())
            .map(|d| {
                let mut parts = split(d);
                let name = parts.remove(0);
                (name, parts)
            })
            .collect(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let sources = match v {
                    Value::String(s) => split(s),
                    Value::Array(a) => a
                        .iter()
                        .map(|x| x.as_str().expect("CSP source is text").to_string())
                        .collect(),
                    other => panic!("CSP {k}: {other}"),
                };
                (k.clone(), sources)
            })
            .collect(),
        other => panic!("the app must set a CSP, found {other}"),
    }
}

/// A named change to a config or capability, for the reviews' own tests.
type Edit = (&'static str, fn(&mut Value));

/// What is wrong with a config's CSP and the settings around it; empty when it passes review.
fn csp_problems(config: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let security = &config["app"]["security"];
    let directives = csp_directives(&security["csp"]);
    let allowed = allowed_csp();
    for (name, sources) in &directives {
        let Some(ok) = allowed.get(name.as_str()) else {
            problems.push(format!(
                "directive {name} is not reviewed in docs/SECURITY.md"
            ));
            continue;
        };
        for source in sources {
            if !ok.contains(&source.as_str()) {
                problems.push(format!("{name} allows {source}: only {ok:?} are reviewed"));
            }
        }
    }
    // The fences that must be there, not merely not loosened.
    for required in [
        "default-src",
        "script-src",
        "object-src",
        "base-uri",
        "form-action",
        "frame-ancestors",
    ] {
        if !directives.contains_key(required) {
            problems.push(format!("no {required}"));
        }
    }
    // The dev server must not get a looser CSP that could slip into a build.
    if let Some(dev) = security.get("devCsp").filter(|v| !v.is_null()) {
        if csp_directives(dev) != directives {
            problems.push("devCsp differs from csp".into());
        }
    }
    // Tauri adds nonces and hashes for its own scripts; without that they would need
    // 'unsafe-inline'.
    if !security
        .get("dangerousDisableAssetCspModification")
        .is_none_or(|v| v == &json!(false))
    {
        problems.push("Tauri's CSP handling is switched off".into());
    }
    if security["freezePrototype"] != json!(true) {
        problems.push("Object.prototype is not frozen before the app's scripts run".into());
    }
    problems
}

#[test]
fn the_csp_allows_nothing_remote_and_no_script_but_the_bundle() {
    let config = config();
    assert_eq!(csp_problems(&config), Vec::<String>::new());
    assert_eq!(
        csp_directives(&config["app"]["security"]["csp"])["script-src"],
        ["'self'"]
    );
}

/// The review above fails on each way of loosening the CSP.
#[test]
fn the_csp_review_refuses_each_loosening() {
    let loosenings: [Edit; 7] = [
        ("a CDN for scripts", |c| {
            c["app"]["security"]["csp"]["script-src"] = json!("'self' https://cdn.example")
        }),
        ("eval", |c| {
            c["app"]["security"]["csp"]["script-src"] = json!("'self' 'unsafe-eval'")
        }),
        ("any origin for fetch", |c| {
            c["app"]["security"]["csp"]["connect-src"] = json!("ipc: *")
        }),
        ("remote images", |c| {
            c["app"]["security"]["csp"]["img-src"] = json!("'self' data: https:")
        }),
        ("no object-src", |c| {
            c["app"]["security"]["csp"]
                .as_object_mut()
                .unwrap()
                .remove("object-src");
        }),
        ("an unreviewed directive", |c| {
            c["app"]["security"]["csp"]["frame-src"] = json!("https://evil.example")
        }),
        ("a thawed prototype", |c| {
            c["app"]["security"]["freezePrototype"] = json!(false)
        }),
    ];
    for (what, loosen) in loosenings {
        let mut config = config();
        loosen(&mut config);
        assert!(!csp_problems(&config).is_empty(), "{what} passed review");
    }
    let mut as_string = config();
    as_string["app"]["security"]["csp"] =
        json!("default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'");
    let problems = csp_problems(&as_string);
    assert!(
        problems.iter().any(|p| p.contains("'unsafe-inline'"))
            && problems.iter().any(|p| p.contains("base-uri")),
        "{problems:?}"
    );
}

#[test]
fn the_window_shows_only_the_bundled_ui_and_the_asset_scope_is_the_media_folder() {
    let config = config();
    let frontend = config["build"]["frontendDist"].as_str().unwrap();
    assert!(
        !frontend.contains("://"),
        "the app embeds a local folder, not a site: {frontend}"
    );
    for window in config["app"]["windows"].as_array().unwrap() {
        if let Some(url) = window.get("url").and_then(Value::as_str) {
            assert!(!url.contains("://"), "a window opens {url}");
        }
    }
    assert_ne!(
        config["app"]["withGlobalTauri"],
        json!(true),
        "no window.__TAURI__ for any script to find"
    );
    let asset = &config["app"]["security"]["assetProtocol"];
    let scope = asset["scope"].as_array().expect("asset scope is a list");
    assert!(!scope.is_empty() && asset["enable"] == json!(true));
    for entry in scope {
        let entry = entry.as_str().expect("asset scope entries are globs");
        assert!(
            entry.starts_with("$APPDATA/media/") && !entry.contains("**") && !entry.contains(".."),
            "the asset protocol may read the media folder's files only, not {entry}"
        );
    }
    assert!(
        config["app"]["security"].get("capabilities").is_none(),
        "capabilities live in capabilities/*.json, where the next test reads them"
    );
}

/// What the main window may do beyond calling the app's own commands, each with its reason.
const ALLOWED_PERMISSIONS: &[&str] = &[
    // Listening for the backend's events (photo download progress).
    "core:event:default",
    // The title shows the provider and the session.
    "core:window:allow-set-title",
];

/// What is wrong with one capability file; empty when it passes review. The main window may
/// have [`ALLOWED_PERMISSIONS`]; the talent's window (the screen facing the person being
/// enrolled) none at all — the shell's fence limits it to three commands besides.
fn capability_problems(cap: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if cap.get("remote").is_some() {
        problems.push("it lets remote URLs reach IPC".into());
    }
    let allowed: &[&str] = if cap["windows"] == json!(["main"]) {
        ALLOWED_PERMISSIONS
    } else if cap["windows"] == json!(["talent"]) {
        &[]
    } else {
        problems.push(format!("it applies to windows {}", cap["windows"]));
        &[]
    };
    if cap.get("webviews").is_some() {
        problems.push("it names webviews".into());
    }
    for permission in cap["permissions"].as_array().into_iter().flatten() {
        match permission.as_str() {
            Some(id) if allowed.contains(&id) => {}
            Some(id) => problems.push(format!("{id} is not reviewed in docs/SECURITY.md")),
            None => problems.push(format!("scoped permission {permission} is not reviewed")),
        }
    }
    problems
}

fn capability_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shell_dir().join("capabilities"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn capabilities_grant_the_main_window_two_permissions_and_no_remote_page_anything() {
    let windows: Vec<Value> = capability_files()
        .iter()
        .map(|p| read_json(p)["windows"].clone())
        .collect();
    assert_eq!(
        windows,
        [json!(["main"]), json!(["talent"])],
        "default.json for the operator's window, talent.json for the talent's"
    );
    let files = capability_files();
    assert!(!files.is_empty());
    for path in files {
        assert_eq!(
            path.extension().and_then(|e| e.to_str()),
            Some("json"),
            "{}: only JSON capabilities are reviewed",
            path.display()
        );
        assert_eq!(
            capability_problems(&read_json(&path)),
            Vec::<String>::new(),
            "{}",
            path.display()
        );
    }
}

/// The review above fails on each way of widening a capability.
#[test]
fn the_capability_review_refuses_each_widening() {
    let base = read_json(&capability_files()[0]);
    let widenings: [Edit; 6] = [
        ("the file system", |c| {
            c["permissions"]
                .as_array_mut()
                .unwrap()
                .push(json!("fs:default"))
        }),
        ("the shell plugin", |c| {
            c["permissions"]
                .as_array_mut()
                .unwrap()
                .push(json!("shell:allow-open"))
        }),
        ("a scoped opener", |c| {
            c["permissions"].as_array_mut().unwrap().push(
                json!({ "identifier": "opener:allow-open-url", "allow": [{ "url": "https://*" }] }),
            )
        }),
        ("a remote origin", |c| {
            c["remote"] = json!({ "urls": ["https://*.example.com"] })
        }),
        ("every window", |c| c["windows"] = json!(["*"])),
        (
            "the talent's window with the main window's permissions",
            |c| c["windows"] = json!(["talent"]),
        ),
    ];
    for (what, widen) in widenings {
        let mut cap = base.clone();
        widen(&mut cap);
        assert!(
            !capability_problems(&cap).is_empty(),
            "{what} passed review"
        );
    }
}

#[test]
fn the_bundled_page_loads_only_its_own_files() {
    let dist = shell_dir().join("../ui/dist");
    let html = std::fs::read_to_string(dist.join("index.html"))
        .expect("ui/dist is built before the shell (it is embedded)");
    let mut references = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            references.push(rest[..rest.find('"').unwrap()].to_string());
        }
    }
    assert!(!references.is_empty(), "{html}");
    for r in &references {
        assert!(
            r.starts_with("/assets/") && !r.contains("://"),
            "index.html loads {r}"
        );
        assert!(
            dist.join(r.trim_start_matches('/')).is_file(),
            "{r} is missing"
        );
    }
    // Every <script> is a file of the bundle: no inline code for the CSP to have to allow.
    for (i, _) in html.match_indices("<script") {
        let tag = &html[i..i + html[i..].find('>').unwrap()];
        assert!(tag.contains("src=\"/assets/"), "inline script: {tag}");
        assert!(
            html[i..].contains("></script>"),
            "a script tag with a body: {tag}"
        );
    }
}

fn app() -> (tauri::App<MockRuntime>, tauri::WebviewWindow<MockRuntime>) {
    let settings = Settings {
        rehearsal_host: Some("127.0.0.1".into()),
        ..Settings::default()
    };
    let state = tauri::async_runtime::block_on(AppState::start(
        Arc::new(Library::open_in_memory().unwrap()),
        Arc::new(MemoryStore::default()),
        settings,
        StageOptions::default(),
    ))
    .expect("app state");
    let builder = likeness_studio_lib::specta_builder!(MockRuntime);
    let app = mock_builder()
        .invoke_handler(likeness_studio_lib::talent::fence(builder.invoke_handler()))
        .build(mock_context(noop_assets()))
        .expect("mock app");
    app.manage(state);
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    (app, window)
}

fn invoke_from(
    window: &tauri::WebviewWindow<MockRuntime>,
    origin: &str,
    cmd: &str,
) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: origin.parse().unwrap(),
            body: InvokeBody::Json(json!({})),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

/// Had a remote page ever got into the window (a link followed, a redirect), it could not call
/// a single command: without a capability naming its URL (the previous test forbids one) Tauri
/// refuses it before the command runs.
#[test]
fn a_remote_page_cannot_call_the_apps_commands() {
    let (_app, window) = app();
    let own = invoke_from(&window, "tauri://localhost", "get_wallet");
    assert_eq!(own, Ok(Value::Null), "the app's own page is answered");
    for origin in [
        "https://evil.example/",
        "http://192.168.1.20:8402/h5/",
        "https://basescan.org/address/0x0",
    ] {
        for cmd in ["get_wallet", "export_wallet", "get_settings"] {
            let refused = invoke_from(&window, origin, cmd);
            let refused = refused.expect_err(&format!("{cmd} from {origin} was answered"));
            assert!(
                refused.as_str().is_some_and(|m| m.contains("not allowed")),
                "{cmd} from {origin}: refused by the ACL, not by the command: {refused}"
            );
        }
    }
}

fn invoke_with(
    window: &tauri::WebviewWindow<MockRuntime>,
    cmd: &str,
    body: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

/// The talent's window reaches its three commands and nothing else (no wallet, no settings, no
/// prices), and the operator's window cannot agree for the talent.
#[test]
fn the_talents_window_calls_only_its_own_commands_and_only_it_agrees() {
    let (app, main) = app();
    let talent = WebviewWindowBuilder::new(&app, "talent", Default::default())
        .build()
        .unwrap();
    assert_eq!(
        invoke_with(&talent, "talent_view", json!({})),
        Ok(Value::Null),
        "no session shown yet"
    );
    for cmd in [
        "get_wallet",
        "export_wallet",
        "get_settings",
        "list_payments",
        "open_talent_view",
        "revoke_face",
    ] {
        let refused = invoke_with(&talent, cmd, json!({})).expect_err(cmd);
        assert!(
            refused
                .as_str()
                .is_some_and(|m| m.contains("not allowed on the talent's screen")),
            "{cmd}: {refused}"
        );
    }
    let body = json!({ "typedName": "Ada Lovelace", "releaseSha256": "00" });
    let from_main = invoke_with(&main, "agree_to_release", body.clone()).unwrap_err();
    assert_eq!(from_main["field"], "typed_name", "{from_main}");
    assert!(
        from_main["message"]
            .as_str()
            .is_some_and(|m| m.contains("Only the talent can agree")),
        "{from_main}"
    );
    let from_talent = invoke_with(&talent, "agree_to_release", body).unwrap_err();
    assert_eq!(
        from_talent["code"], "not_found",
        "past the fence, to the studio (no session is shown): {from_talent}"
    );
}
