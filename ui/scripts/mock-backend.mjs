// A stand-in for the Rust backend in a browser without Tauri: `installMock` is run in the page
// before the app (Playwright's addInitScript) and plays every command from fixtures, including
// the session watch channel. `window.__mock` lets a script push session changes.
//
// Scenarios (the `scenario` argument): form, form-filled, awaiting, two-open, library,
// library-empty, settings, settings-port-moved, payment (a verified session whose enroll asks a
// price), payee-changed (the same, to a new payee), payments, payments-empty, settings-no-wallet
// (no studio wallet yet; every other scenario has one). The studio wallet commands keep their
// state in the page: create, import (a malformed key is refused on `wallet_key`), export (only
// confirmed), delete. `window.__mock.walletCalls` lists them by name, never with the key.
// Settings are kept in the page too: `set_api_key` remembers which providers have a key
// (`window.__mock.keyCalls` lists the providers, never a key), and switching to a provider that
// pays by API key without one is refused with `not_configured`, as the backend does. Every view
// carries the hourly call budget (`window.__mock.setBudget(patch)` changes it); `check_session`
// spends one check and is refused as `rate_limited` once none is left. `sync_faces` adds two faces.
//
// Anyfast and Crun (BytePlus groups): `byteplus-session` runs Anyfast with a key and a verified
// session whose Enroll uploads the photo as an asset that is processing, then turns active (or
// failed, with `window.__mock.failAsset`) on the `watch_assets` channel after
// `window.__mock.assetDelayMs`. `library-assets` runs Anyfast with a person whose group holds a
// photo, a video and a voice clip (one failed, one processing). `check_asset_file` answers a media
// checklist for videos and clips ("long" in the link: a 21.4 s video that fails Duration; "slow":
// 15 fps that fails Frame rate) and the photo checklist for photos ("two": a failed face check);
// `add_asset` files the upload as processing and settles it like Enroll does.
//
// The library lists `FaceSummary` rows (no previews, no consent); `face_thumbnail` answers one
// preview, `get_face` the full record with its consent record, `export_receipt` a printable page.
// `library-10k` lists 10,000 entries (lone `ta_…` faces, portraits, BytePlus people with several
// files, across the five providers) for the perf script and the long-list screenshot, on BlockRun:
// the Library lists the real providers' entries and says how many test ones it hides.
//
// Video: `video_options` answers per provider as the backend documents it (models with their
// resolutions, 4–15 s, the ratios, the faces usable there). `generate` runs Rehearsal as BlockRun
// on the test wallet (x402 price to confirm), `generate-payee-changed` the same to a new payee,
// `generate-anyfast` Anyfast on its account (no price, "Billed to your Anyfast account"),
// `generate-crun` Crun (its own model ids, 720p only, 16:9 or auto),
// `generate-none` BlockRun with no face enrolled there, and `jobs` has one job in each state
// (queued, generating, done with its file, refused by moderation, a download cut off, declined).
// A confirmed job goes queued → generating (progress) → downloading → done on the `watch_jobs`
// channel, every `window.__mock.videoStepMs`; `window.__mock.failVideo` makes it fail at the
// provider's output check instead. `convertFileSrc` gives `http://asset.localhost/<path>`, which
// the screenshot script serves from tests/fixtures/media.

/** Runs in the page before the app: the backend, played from fixtures. */
export function installMock({ qrSvg, scenario, listDelayMs = 13 }) {
  const now = Date.now();
  const face = (hue) =>
    "data:image/svg+xml;base64," +
    btoa(
      `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">` +
        `<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue},45%,78%)"/>` +
        `<stop offset="1" stop-color="hsl(${hue},35%,52%)"/></linearGradient></defs>` +
        `<rect width="256" height="256" fill="url(#g)"/><ellipse cx="128" cy="112" rx="58" ry="70" fill="hsl(28,45%,72%)"/>` +
        `<path d="M40 256c10-56 46-84 88-84s78 28 88 84z" fill="hsl(${hue},30%,30%)"/></svg>`,
    );
  const ada = {
    id: "ses_ada",
    provider: "rehearsal",
    groupId: "grp_ada",
    talentName: "Ada Lovelace",
    imageUrl: "https://photos.example/ada.jpg",
    h5Link: "http://192.168.1.20:8402/h5/?accessKeyId=rehearsal&sessionToken=3f9a1c7e2b4d6a80&configId=legacy_rf_1",
    expiresAtMs: now + 113_000,
    linkIssuedAtMs: now - 7_000,
    state: "awaiting_scan",
    assetId: null,
    createdAtMs: now - 7_000,
    updatedAtMs: now - 7_000,
    photoOverride: null,
    livenessToken: null,
    operator: "Sam Rivera",
  };
  const grace = {
    ...ada,
    id: "ses_grace",
    groupId: "grp_grace",
    talentName: "Grace Hopper",
    expiresAtMs: now - 5_000,
    linkIssuedAtMs: now - 125_000,
    state: "expired",
    createdAtMs: now - 300_000,
    updatedAtMs: now - 5_000,
  };
  let budget = { host: "127.0.0.1", statusChecksLeft: 14, statusChecksPerHour: 20, newLinksLeft: 8, newLinksPerHour: 10, statusFreesAtMs: null, newLinksFreeAtMs: null };
  const viewOf = (session, extra = {}) => ({
    session,
    qrSvg: session.state === "awaiting_scan" ? qrSvg : null,
    nextCheckAtMs: null,
    notice: null,
    quote: null,
    payeeChanged: false,
    budget,
    asset: null,
    release: null,
    phone: { kind: session.state === "awaiting_scan" && phoneSeen.has(session.id) ? "opened" : "not_yet", atMs: Date.now() },
    ...extra,
  });
  // Sessions whose phone page was opened (`window.__mock.phoneOpens(id)`).
  const phoneSeen = new Set();
  // The talent's own window ("talent-release", "talent-scan"): what the person being enrolled sees.
  const talentWindow = scenario === "talent-release" || scenario === "talent-scan";
  const releaseText = [
    "Release of likeness (version 2)",
    "Production: Northwind Pictures — Harbour Lights",
    "Uses: Generating video of my likeness with AI video models, for the production named above.",
    "Term: 2 years from the day I agree",
    "Territory: Worldwide",
    "I can ask the studio to revoke this release at any time.",
    "By typing my name and pressing “I agree”, I release my likeness for these uses, for this term, in this territory.",
  ].join("\n");
  let talent = {
    sessionId: "ses_ada",
    talentName: "Ada Lovelace",
    stage: scenario === "talent-scan" ? "scan" : "release",
    qrSvg: scenario === "talent-scan" ? qrSvg : null,
    expiresAtMs: now + 95_000,
    release: scenario === "talent-scan" ? null : { version: 2, text: releaseText, sha256: "ab".repeat(32) },
    agreedAs: scenario === "talent-scan" ? "Ada Lovelace" : null,
    problem: null,
    // The talent's screen says the phone connected too (Rehearsal saw the page opened).
    phone: scenario === "talent-scan" ? { kind: "opened", atMs: now - 5_000 } : { kind: "not_yet" },
  };
  // The studio's release (Settings → Release); saving a change makes the next version.
  let release = {
    version: 2,
    production: "Northwind Pictures — Harbour Lights",
    uses: "Generating video of my likeness with AI video models, for the production named above.",
    termMonths: 24,
    territory: "Worldwide",
    freeText: "I can ask the studio to revoke this release at any time.",
    savedAtMs: now - 86_400_000,
  };
  const wallet = "0x4B20993Bc481177ec7E8f571ceCaE8A9e22C02db";
  const studioWalletOf = (address) => ({ address, explorerUrl: `https://basescan.org/address/${address}` });
  const STUDIO_ADDRESS = "0x71C7656EC7ab88b098defB751B7401B5f6d8976F";
  const STUDIO_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
  let studioWallet = scenario === "settings-no-wallet" ? null : studioWalletOf(STUDIO_ADDRESS);
  const payee = "0x9F8e7D6c5B4a39281706F5e4D3c2B1a098765432";
  const quote = {
    x402Version: "v2",
    network: "base-sepolia",
    networkLabel: "Base Sepolia",
    testnet: true,
    chainId: 84532,
    asset: "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
    payTo: payee,
    amountAtomic: "10000",
    amountUsdc: "0.01",
    maxTimeoutSeconds: 60,
    resource: "http://127.0.0.1:8402/v1/realface/enroll",
    description: "Enroll one verified real face",
    mimeType: "application/json",
    serverMessage: null,
    offered: null,
  };
  const payment = (i, status, extra = {}) => ({
    id: `pay_${i}`,
    provider: "rehearsal",
    purpose: `realface:ses_${i}a7c3`,
    amountAtomic: "10000",
    payee,
    network: "base-sepolia",
    assetContract: quote.asset,
    nonce: `0x${String(i).repeat(8)}5e1f0c2d9b8a7f6e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918`,
    headerName: "PAYMENT-SIGNATURE",
    status,
    settlementTx: null,
    assetId: null,
    createdAtMs: now - i * 3_600_000,
    updatedAtMs: now - i * 3_600_000,
    operator: i % 2 === 0 ? "" : "Sam Rivera",
    ...extra,
  });
  const ledger =
    scenario === "payments"
      ? [
          payment(1, "settled", {
            settlementTx: "0x7a1c9e0b3d5f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c",
            assetId: "ta_8c2f4e1a9b7d4c3e8f1a2b3c4d5e6f70",
          }),
          payment(2, "signed"),
          payment(3, "not_charged", { amountAtomic: "2500000" }),
          payment(4, "rejected", { payee: "0x1111222233334444555566667777888899990000" }),
        ]
      : [];
  const paying = scenario === "payment" || scenario === "payee-changed";
  const sha = (seed) => Array.from({ length: 64 }, (_, i) => "0123456789abcdef"[(seed * 7 + i * 13 + ((seed * i) % 5)) % 16]).join("");
  const consentOf = (operator, at, livenessRef, seed, payment) => ({ operator, recordedAtMs: at, livenessRef, fileSha256: sha(seed), payment });
  // Test faces are never listed beside real ones: where the stage is a real provider (the
  // Anyfast library), the lone faces are BlockRun's, so the real-person library has them.
  const loneProvider = scenario === "library-assets" ? "blockrun" : "rehearsal";
  const faces = [
    {
      assetId: "ta_8c2f4e1a9b7d4c3e8f1a2b3c4d5e6f70",
      provider: loneProvider,
      kind: "real_face",
      name: "Katherine Johnson",
      imageUrl: "https://photos.example/kj.jpg",
      tags: ["Northwind spring", "Lead"],
      thumbnail: face(210),
      groupId: "grp_kj",
      enrolledAtMs: now - 3_600_000,
      priceUsd: "0.01",
      txHash: "0x7a1c9e0b3d5f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c",
      photoOverride: null,
      assetType: "image",
      status: "active",
      statusMessage: null,
      consent: consentOf("Grace Hopper", now - 3_600_000, "ses_kj81a7c3 / group grp_kj", 1, {
        rail: "x402",
        ledgerId: "pay_1",
        txHash: "0x7a1c9e0b3d5f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c",
      }),
    },
    {
      assetId: "ta_1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a",
      provider: loneProvider,
      kind: "real_face",
      name: "Dorothy Vaughan",
      imageUrl: "https://photos.example/dv.jpg",
      thumbnail: face(140),
      groupId: "grp_dv",
      enrolledAtMs: now - 86_400_000 * 2,
      priceUsd: null,
      txHash: null,
      photoOverride: "face_count",
      assetType: "image",
      status: "active",
      statusMessage: null,
      consent: consentOf("", now - 86_400_000 * 2, "ses_dv22b1f0 / group grp_dv", 2, { rail: "x402", ledgerId: "pay_2", txHash: null }),
    },
    {
      assetId: "ta_55aa55aa55aa55aa55aa55aa55aa55aa",
      provider: loneProvider,
      kind: "portrait",
      name: "Robo the Weather Bot",
      imageUrl: "https://photos.example/robo.png",
      thumbnail: null,
      groupId: null,
      enrolledAtMs: now - 86_400_000 * 9,
      priceUsd: null,
      txHash: null,
      photoOverride: null,
      assetType: "image",
      status: "active",
      statusMessage: null,
      consent: consentOf("Grace Hopper", now - 86_400_000 * 9, null, 3, { rail: "x402", ledgerId: "pay_3", txHash: null }),
    },
  ];

  // Ada's BytePlus group on Anyfast: verified on the phone, then a photo, a video and a voice
  // clip filed into it (one photo refused, the video still processing).
  const GROUP = "group-20260702221642-5czvq";
  const bytePlus = scenario === "byteplus-session" || scenario === "library-assets" || scenario === "generate-anyfast";
  const asset = (id, assetType, status, minutesAgo, extra = {}) => ({
    assetId: `asset-20260702${id}`,
    provider: "anyfast",
    kind: "asset",
    name: "Ada Lovelace",
    imageUrl: `https://media.example/ada-${id}`,
    thumbnail: null,
    groupId: GROUP,
    enrolledAtMs: now - minutesAgo * 60_000,
    priceUsd: null,
    txHash: null,
    photoOverride: null,
    assetType,
    status,
    statusMessage: null,
    consent: consentOf("Grace Hopper", now - minutesAgo * 60_000, `ses_ada_anyfast / group ${GROUP}`, minutesAgo, { rail: "account", provider: "anyfast" }),
    ...extra,
  });
  const adaAssets = [
    asset("223855-bdv2r", "image", "active", 95, { thumbnail: face(20) }),
    asset("224233-zx81p", "image", "failed", 80, {
      thumbnail: face(330),
      statusMessage: "Face consistency verification failed: the photo does not show the person who did the phone check.",
    }),
    asset("225010-v1d30", "video", "processing", 4),
    asset("225512-au9x2", "audio", "active", 30),
  ];
  const adaAnyfast = {
    ...ada,
    id: "ses_ada_anyfast",
    provider: "anyfast",
    groupId: GROUP,
    h5Link:
      "https://www.byteplus.com/en/liveness-face-manage/authorization?pl=eyJ0b2tlbiI6IjEyMyJ9&configId=cfg-7f3a&bytedToken=2026070222152680501D985EA34A3BE3D8",
    livenessToken: "2026070222152680501D985EA34A3BE3D8",
    state: "verified",
  };

  const open = {
    "form": [],
    "form-filled": [],
    "awaiting": [viewOf(ada, { nextCheckAtMs: now + 8_000 })],
    "loopback": [viewOf(ada, { nextCheckAtMs: now + 8_000 })],
    "two-open": [viewOf(ada, { nextCheckAtMs: now + 8_000 }), viewOf(grace)],
    "library": [],
    "library-empty": [],
    "settings": [],
    "settings-port-moved": [],
    "payment": [viewOf({ ...ada, state: "verified" })],
    "payee-changed": [viewOf({ ...ada, state: "verified" })],
    "byteplus-session": [viewOf(adaAnyfast)],
  }[scenario] ?? [];
  // Rehearsal found its set port busy and listens on another one.
  const listeningPort = scenario === "settings-port-moved" ? 40123 : 8402;
  // 10,000 entries for the perf script and the long-list screenshot, made the same every time.
  const bigLibrary = (count) => {
    let seed = 20261130;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = (list) => list[Math.floor(rand() * list.length)];
    const FIRST = ["Ada", "Grace", "Katherine", "Dorothy", "Mary", "Annie", "Margaret", "Hedy", "Radia", "Frances", "Barbara", "Joan", "Evelyn", "Sophie", "Karen", "Lynn", "Shafi", "Fei-Fei", "Zoë", "Chen", "Amara", "Ngozi", "Priya", "Ines", "Mateo", "Jonas", "Ravi", "Kenji", "Olu", "Sven", "Tariq", "Yusuf", "Lars", "Diego", "Hugo", "Aiko", "Mei", "Noor", "Leila", "Tomás"];
    const LAST = ["Lovelace", "Hopper", "Johnson", "Vaughan", "Jackson", "Easley", "Hamilton", "Lamarr", "Perlman", "Allen", "Liskov", "Clarke", "Boyd", "Wilson", "Spärck Jones", "Conway", "Goldwasser", "Li", "Okafor", "Nakamura", "Haddad", "Novak", "Rossi", "Silva", "Kowalski", "Andersson", "Moreau", "Fischer", "Ibrahim", "Mensah", "Tanaka", "Park", "Singh", "García", "Dubois", "Kim", "Ivanova", "Costa", "Weber", "Osei"];
    const hex = (n) => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(rand() * 16)]).join("");
    const out = [];
    let at = now - 60_000;
    while (out.length < count) {
      const name = `${pick(FIRST)} ${pick(LAST)}`;
      const roll = rand();
      at -= Math.floor(rand() * 900_000);
      const base = { name, imageUrl: "https://photos.example/x.jpg", thumbnail: null, priceUsd: null, txHash: null, photoOverride: null, statusMessage: null };
      if (roll < 0.5) {
        const provider = pick(["rehearsal", "rehearsal", "blockrun", "blockrun", "jarvisclaw"]);
        const portrait = rand() < 0.2;
        const id = `ta_${hex(32)}`;
        out.push({
          ...base,
          assetId: id,
          provider,
          kind: portrait ? "portrait" : "real_face",
          groupId: portrait ? null : `grp_${hex(8)}`,
          enrolledAtMs: at,
          assetType: "image",
          status: "active",
          hasThumbnail: rand() < 0.9,
          consent: rand() < 0.9 ? consentOf("Grace Hopper", at, portrait ? null : `ses_${hex(8)}`, out.length, null) : null,
        });
      } else {
        const provider = pick(["anyfast", "anyfast", "crun"]);
        const group = `group-2026${hex(10)}-${hex(5)}`;
        const files = 1 + Math.floor(rand() * 6);
        for (let i = 0; i < files && out.length < count; i++) {
          const type = i === 0 ? "image" : pick(["image", "video", "audio"]);
          const r = rand();
          const status = r < 0.85 ? "active" : r < 0.93 ? "processing" : "failed";
          out.push({
            ...base,
            assetId: `asset-2026${hex(10)}-${hex(5)}`,
            provider,
            kind: "asset",
            groupId: group,
            enrolledAtMs: at + i * 60_000,
            assetType: type,
            status,
            statusMessage: status === "failed" ? "Face consistency verification failed: the photo does not show the person who did the phone check." : null,
            hasThumbnail: type === "image",
            consent: consentOf("", at, `ses_${hex(8)} / group ${group}`, out.length, { rail: "account", provider }),
          });
        }
      }
    }
    return out;
  };
  const libraryFaces =
    scenario === "library-empty"
      ? []
      : scenario === "library-assets" || scenario === "generate-anyfast"
        ? [...adaAssets, ...faces]
        : scenario === "generate-crun"
          ? [...adaAssets.map((f) => ({ ...f, provider: "crun", consent: { ...f.consent, payment: { rail: "account", provider: "crun" } } })), ...faces]
        : scenario === "library-10k"
          ? bigLibrary(10_000)
          : faces.slice();
  /** The list's row: no preview, no consent details. */
  const summaryOf = (f) => ({
    assetId: f.assetId,
    provider: f.provider,
    kind: f.kind,
    name: f.name,
    groupId: f.groupId,
    enrolledAtMs: f.enrolledAtMs,
    assetType: f.assetType,
    status: f.status,
    statusMessage: f.statusMessage,
    hasThumbnail: f.hasThumbnail ?? (f.thumbnail !== null && f.thumbnail !== ""),
    hasConsent: f.consent !== undefined && f.consent !== null,
    consentEndsAtMs: f.consent?.release?.endsAtMs ?? null,
    revokedAtMs: f.revoked?.atMs ?? null,
    tags: f.tags ?? [],
  });
  /** A preview: the record's own, or one drawn for a generated entry. */
  const thumbnailOf = (f) => {
    if (f.thumbnail) return f.thumbnail;
    if (!f.hasThumbnail) return null;
    let h = 0;
    for (const c of f.assetId) h = (h * 31 + c.charCodeAt(0)) % 360;
    return face(h);
  };
  // The real answer crosses IPC as JSON: the big list is parsed afresh on every listing, as the
  // webview does (serialised once here, before the app starts).
  const bigListJson = scenario === "library-10k" ? JSON.stringify(libraryFaces.map(summaryOf)) : null;
  const receiptOf = (f) => {
    const esc = (t) => String(t).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
    const c = f.consent;
    const rows = [
      ["Talent", f.name],
      ["Provider", LABEL[f.provider]],
      ["Asset id", f.assetId],
      ["Recorded", new Date(c?.recordedAtMs ?? f.enrolledAtMs).toUTCString()],
      ["Operator", c ? c.operator || "Not recorded" : "—"],
      ["Liveness", c?.livenessRef ?? "None"],
      ["File sha256", c?.fileSha256 ?? "—"],
      ["Consent record", c ? "Recorded in this studio." : "Enrolled elsewhere; no consent record in this studio."],
    ];
    return (
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Consent receipt — ${esc(f.name)}</title>` +
      `<style>@page{size:A4;margin:18mm 16mm}body{font:10.5pt/1.4 Georgia,serif;color:#111;margin:0 auto;max-width:178mm;padding:12mm 4mm}` +
      `h1{font-size:18pt;margin:0 0 1mm}table{width:100%;border-collapse:collapse}th,td{text-align:left;vertical-align:top;padding:1.4mm 2.5mm;border-bottom:.3mm solid #bbb}` +
      `th{width:40mm}.statement{border:.4mm solid #111;padding:4mm;margin:6mm 0}</style></head><body>` +
      `<h1>Consent receipt</h1><p>Likeness Studio</p><div class="statement">${esc(rows[7][1])}</div><table>` +
      rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("") +
      `</table></body></html>`
    );
  };
  let settings = {
    provider: bytePlus ? "anyfast" : "rehearsal",
    baseUrl: null,
    rehearsalPort: 8402,
    rehearsalHost: null,
    paymentMethod: "wallet",
    rehearsalX402Version: 2,
    perPaymentCapUsd: "2",
    dailyCapUsd: "20",
    rehearsalPersonality: "blockrun",
    rehearsalJarvisclawShape: "live",
    jarvisclawRedirectUrl: null,
    baseRpcUrl: "https://mainnet.base.org",
    crunLanguage: "en",
    lanCallback: true,
    callbackPort: 8403,
    operatorName: "",
    photoHosting: { endpoint: "", region: "", bucket: "", prefix: "likeness/" },
  };
  // The 10,000-entry library runs on a real provider, so most of it (every real provider's
  // entries) is listed and Rehearsal's test entries are the hidden part.
  if (scenario === "generate-none" || scenario === "library-10k") {
    settings.provider = "blockrun";
  }
  if (scenario === "loopback") {
    settings.rehearsalHost = "127.0.0.1";
  }
  if (scenario === "generate-crun") {
    settings.provider = "crun";
    settings.paymentMethod = "api_key";
  }
  /** Providers with an API key in the (pretend) keychain. */
  const apiKeys = new Set(bytePlus ? ["rehearsal", "anyfast"] : scenario === "generate-crun" ? ["rehearsal", "crun"] : ["rehearsal"]);
  const KEY_HINT = { blockrun: "brk_…", jarvisclaw: "sk-…" };
  /** Portrait prices shown and not yet paid or declined, by quote id. */
  const portraitQuotes = new Map();
  const LABEL = { rehearsal: "Rehearsal", blockrun: "BlockRun", jarvisclaw: "JarvisClaw", anyfast: "Anyfast", crun: "Crun" };
  /** Paid with their key only, per upload (no wallet, no x402). */
  const KEY_ONLY = new Set(["anyfast", "crun"]);
  const stageOf = (s) => {
    if (s.provider === "rehearsal") {
      return {
        provider: "rehearsal",
        baseUrl: s.baseUrl ?? `http://127.0.0.1:${listeningPort}/`,
        phoneHost: s.rehearsalHost ?? "192.168.1.20",
        phoneReach: reachOf(s.rehearsalHost ?? "192.168.1.20"),
        rehearsalPort: listeningPort,
        hasApiKey: true,
        paymentMethod: s.paymentMethod,
        wallet: { address: wallet, explorerUrl: `https://sepolia.basescan.org/address/${wallet}` },
        rehearsalPersonality: s.rehearsalPersonality ?? "blockrun",
      };
    }
    const ROOTS = { jarvisclaw: "https://api.jarvisclaw.ai", anyfast: "https://www.anyfast.ai", crun: "https://api.crun.ai/api/v1/client/job" };
    const root = ROOTS[s.provider] ?? (s.paymentMethod === "api_key" ? "https://api.blockrun.ai" : "https://blockrun.ai/api");
    const method = KEY_ONLY.has(s.provider) ? "api_key" : s.paymentMethod;
    return {
      provider: s.provider,
      baseUrl: s.baseUrl ?? root,
      phoneHost: null,
      phoneReach: null,
      rehearsalPort: null,
      hasApiKey: apiKeys.has(s.provider),
      paymentMethod: method,
      wallet: method === "wallet" ? studioWallet : null,
      rehearsalPersonality: null,
    };
  };

  // This machine's addresses, as the backend's PhoneReach lists them.
  const LAN = [
    { ip: "192.168.1.20", interface: "wlan0", kind: "lan" },
    { ip: "10.0.0.7", interface: "eth0", kind: "lan" },
  ];
  function reachOf(host) {
    const loopback = host === "127.0.0.1" || host === "localhost";
    return {
      host,
      kind: loopback ? "loopback" : "lan",
      choices: LAN,
      warning: loopback ? `Phones cannot open the QR: it points at ${host}, this computer only. Choose ${LAN[0].ip} (${LAN[0].interface}) under "Phones reach this computer at".` : null,
    };
  }
  const phoneTests = new Map();

  const callbacks = new Map();
  let nextId = 1;
  let channel = null;
  let index = 0;
  const push = (view) => {
    if (channel !== null) {
      callbacks.get(channel)?.({ index: index++, message: view });
    }
  };
  let assetChannel = null;
  let assetIndex = 0;
  // The shared database (scenario "desks"): another desk's open session, and the faces' version.
  let otherDesks = scenario === "desks" ? [{ desk: "Desk 2", session: { ...ada, id: "ses_desk2", talentName: "Grace Hopper" } }] : [];
  let facesVersion = 1;
  let libraryChannel = null;
  let libraryIndex = 0;
  const pushLibrary = () => {
    if (libraryChannel !== null) callbacks.get(libraryChannel)?.({ index: libraryIndex++, message: { facesVersion, otherDesks } });
  };
  /** Sends an asset's new status on the `watch_assets` channel and files it in the library. */
  const pushAsset = (f) => {
    const at = libraryFaces.findIndex((g) => g.assetId === f.assetId);
    if (at >= 0) libraryFaces[at] = f;
    else libraryFaces.push(f);
    if (assetChannel !== null) {
      callbacks.get(assetChannel)?.({ index: assetIndex++, message: f });
    }
  };
  /** The provider finishes processing an upload after a while: active, or failed on request. */
  const settleLater = (f) => {
    setTimeout(() => {
      pushAsset(
        window.__mock.failAsset
          ? { ...f, status: "failed", statusMessage: "Face consistency verification failed: the photo does not show the person who did the phone check." }
          : { ...f, status: "active" },
      );
    }, window.__mock.assetDelayMs);
  };
  const later = (ms, fn) =>
    new Promise((settle, fail) =>
      setTimeout(() => {
        try {
          settle(fn());
        } catch (e) {
          fail(e);
        }
      }, ms),
    );
  const refuse = (code, message, field = null, retryAfterSeconds = null) => {
    throw { code, message, field, retryAfterSeconds };
  };
  const sessions = new Map(open.map((v) => [v.session.id, v.session]));
  const checkPhoto = (url) => {
    if (url.includes("missing")) {
      refuse(
        "invalid_input",
        "The photo link leads to a 'not found' page (404). Copy the link again from the page that shows the photo.",
        "image_url",
      );
    }
    // The checklist as the backend sends it: a link with "two" in it shows two faces (a failed
    // face check the operator may override), "soft" a blurry one (a warning).
    const two = url.includes("two");
    const soft = url.includes("soft");
    const item = (id, verdict, label, message) => ({ id, verdict, label, message, overridable: ["face_count", "face_size", "sharpness"].includes(id) });
    const checks = [
      item("format", "pass", "Format", "JPEG"),
      item("file_size", "pass", "File size", "349 KB"),
      item("dimensions", "pass", "Dimensions", "1200 × 1600 px"),
      item("integrity", "pass", "Complete file", "The file is complete and opens."),
      two
        ? item("face_count", "fail", "Faces", "Two faces found: crop the photo to the talent alone.")
        : item("face_count", "pass", "Faces", "One face found."),
      item("face_size", "pass", "Face size", "The face is 412 px wide, 34% of the photo's short side."),
      soft
        ? item("sharpness", "warn", "Sharpness", "The face looks soft (sharpness 31). A sharper photo matches more reliably.")
        : item("sharpness", "pass", "Sharpness", "The face is sharp (sharpness 188)."),
    ];
    const faceBox = { x: 0.33, y: 0.16, width: 0.34, height: 0.26, sharpness: soft ? 31 : 188, score: 21.5 };
    const faces = two ? [faceBox, { ...faceBox, x: 0.05 }] : [faceBox];
    return {
      url,
      format: "jpeg",
      widthPx: 1200,
      heightPx: 1600,
      sizeBytes: 348_211,
      thumbnail: face(url.includes("front") ? 200 : 20),
      provider: "BlockRun",
      checks,
      faces,
    };
  };
  const checkMedia = (assetType, url) => {
    const video = assetType === "video";
    const long = url.includes("long");
    const slow = url.includes("slow");
    const item = (id, verdict, label, message) => ({ id, verdict, label, message });
    const checks = video
      ? [
          item("format", "pass", "Format", "MP4 (H.264)"),
          item("file_size", "pass", "File size", long ? "31.2 MB" : "8.4 MB"),
          long
            ? item("duration", "fail", "Duration", "The video is 21.4 s long; BytePlus takes 2–15 s. Trim it to 15 s or less.")
            : item("duration", "pass", "Duration", "6.0 s"),
          slow
            ? item("frame_rate", "fail", "Frame rate", "The clip runs at 15 fps; BytePlus needs 24–60 fps. Export it at 25 or 30 fps.")
            : item("frame_rate", "pass", "Frame rate", "30 fps"),
          item("aspect_ratio", "pass", "Aspect ratio", "0.56 : 1 (9:16)"),
          item("integrity", "pass", "Complete file", "The file is complete and plays."),
        ]
      : [
          item("format", "pass", "Format", "WAV"),
          item("file_size", "pass", "File size", "706 KB"),
          long
            ? item("duration", "fail", "Duration", "The voice clip is 20.0 s long; BytePlus takes 2–15 s. Trim it to 15 s or less.")
            : item("duration", "pass", "Duration", "4.0 s"),
          item("integrity", "pass", "Complete file", "The file is complete and plays."),
        ];
    return {
      kind: "media",
      url,
      assetType,
      container: video ? "mp4" : "wav",
      sizeBytes: video ? (long ? 31_200_000 : 8_400_000) : 705_644,
      durationMs: long ? (video ? 21_400 : 20_000) : video ? 6_000 : 4_000,
      fps: video ? (slow ? 15 : 30) : null,
      widthPx: video ? 1080 : null,
      heightPx: video ? 1920 : null,
      provider: "BytePlus",
      checks,
    };
  };
  /** `photo-progress` listeners (the event plugin's handler ids). */
  const photoListeners = new Set();
  const photoProgress = (url, receivedBytes, totalBytes) => {
    for (const id of photoListeners) {
      callbacks.get(id)?.({ event: "photo-progress", id, payload: { url, receivedBytes, totalBytes } });
    }
  };
  const issued = () => {
    const t = Date.now();
    return { expiresAtMs: t + 120_000, linkIssuedAtMs: t, updatedAtMs: t };
  };


  // ---- Video: options per provider, jobs and their channel ----
  const VIDEO_MODELS = {
    blockrun: ["bytedance/seedance-2.0", "bytedance/seedance-2.0-fast"],
    jarvisclaw: ["bytedance/seedance-2.0", "bytedance/seedance-2.0-fast"],
    anyfast: ["seedance", "seedance-fast"],
    crun: ["bytedance/seedance2-0-r2v", "bytedance/seedance2-0-fast-r2v"],
  };
  const VIDEO_RATIOS = {
    blockrun: ["adaptive", "16:9", "9:16", "1:1", "4:3", "3:4", "21:9"],
    jarvisclaw: ["adaptive", "16:9", "9:16", "1:1", "4:3", "3:4", "21:9"],
    anyfast: ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"],
    crun: ["16:9", "auto"],
  };
  const videoApi = () => (settings.provider === "rehearsal" ? settings.rehearsalPersonality : settings.provider);
  const videoBilling = () => {
    const api = videoApi();
    return (api === "blockrun" || api === "jarvisclaw") && settings.paymentMethod === "wallet" ? "wallet" : "account";
  };
  const usableFaces = () => {
    const api = videoApi();
    const ta = api === "blockrun" || api === "jarvisclaw";
    return libraryFaces
      .filter((f) =>
        f.provider === settings.provider &&
        (ta ? f.kind !== "asset" && f.assetId.startsWith("ta_") : f.kind === "asset" && f.assetType === "image" && f.status === "active"),
      )
      .map(summaryOf);
  };
  const videoOptions = () => {
    const api = videoApi();
    const ta = api === "blockrun" || api === "jarvisclaw";
    const [standard, fast] = VIDEO_MODELS[api];
    const resolutions = (tier) => (api === "crun" ? ["720p"] : tier === "fast" ? ["480p", "720p"] : ["480p", "720p", "1080p"]);
    return {
      provider: settings.provider,
      api,
      billing: videoBilling(),
      // As the core says it (src/video/mod.rs): Crun starts on 2.0, whose page documents uploaded
      // faces, and says why beside each model; clips beside the face only where documented.
      models: [
        {
          id: standard, label: "Seedance 2.0", tier: "seedance-2.0", resolutions: resolutions("standard"), defaultResolution: "720p",
          note: api === "crun" ? "The default on Crun: its reference-to-video page documents uploaded faces for Seedance 2.0." : null,
          maxReferenceVideos: ta ? 0 : 3, maxReferenceAudios: ta ? 0 : 3, clipsNote: null,
        },
        {
          id: fast, label: "Seedance 2.0 fast", tier: "seedance-2.0-fast", resolutions: resolutions("fast"), defaultResolution: "720p",
          note: api === "crun" ? "Crun's page does not confirm uploaded faces on 2.0 fast; choose it only if Crun has confirmed it for your account." : null,
          maxReferenceVideos: api === "anyfast" ? 3 : 0, maxReferenceAudios: api === "anyfast" ? 3 : 0, clipsNote: null,
        },
      ],
      defaultModel: api === "crun" ? standard : fast,
      durations: Array.from({ length: 12 }, (_, i) => i + 4),
      defaultDuration: 5,
      ratios: VIDEO_RATIOS[api],
      defaultRatio: "16:9",
      maxPromptChars: 5000,
      faces: usableFaces(),
      clips: libraryFaces
        .filter((f) => f.provider === settings.provider && f.kind === "asset" && f.assetType !== "image" && f.status === "active")
        .map(summaryOf),
    };
  };
  const MEDIA = "/home/operator/.local/share/studio.likeness.app/media";
  const videoQuote = (usd) => ({
    ...quote,
    amountAtomic: String(Math.round(Number(usd) * 1_000_000)),
    amountUsdc: usd,
    resource: "http://127.0.0.1:8402/v1/videos/generations",
    description: "Seedance 2.0 video",
  });
  const moneyWords = (j) => {
    const account = LABEL[j.provider];
    if (j.charged === false) return "Nothing was charged.";
    if (j.charged === true) return j.priceUsd ? `This was charged: $${j.priceUsd}.` : `This was billed to the ${account} account.`;
    if (j.billing === "wallet") {
      if (j.state === "awaiting_confirmation") return `Nothing is signed until you confirm the price of $${j.priceUsd}.`;
      return "Nothing is charged until the video is delivered; a failed video costs nothing.";
    }
    if (j.state === "awaiting_confirmation") return `Submitting it bills the ${account} account (the provider sets the price).`;
    return `Billed to the ${account} account by the provider.`;
  };
  const jobView = (j) => ({
    ...j,
    elapsedMs: Math.max(0, (j.completedAtMs ?? Date.now()) - (j.submittedAtMs ?? j.createdAtMs)),
    chargeNote: moneyWords(j),
  });
  const jobOf = (id, patch) => ({
    id,
    provider: "rehearsal",
    faceAssetId: faces[0].assetId,
    model: "bytedance/seedance-2.0-fast",
    prompt: "She smiles warmly and waves at the camera in soft studio light",
    durationSeconds: 5,
    resolution: "720p",
    aspectRatio: "16:9",
    state: "queued",
    remoteId: `task_${id.slice(4, 10)}`,
    pollUrl: null,
    priceUsd: "0.79",
    paymentId: `pay_${id}`,
    charged: null,
    resultUrl: null,
    localPath: null,
    error: null,
    createdAtMs: now - 60_000,
    submittedAtMs: now - 58_000,
    completedAtMs: null,
    updatedAtMs: now - 58_000,
    operator: "Sam Rivera",
    billing: "wallet",
    quote: null,
    payeeChanged: false,
    faceName: faces[0].name,
    progress: null,
    nextCheckAtMs: null,
    notice: null,
    ...patch,
  });
  const videoJobs =
    scenario === "jobs"
      ? [
          jobOf("vid_1a2b3c4d5e6f7081", { state: "queued", createdAtMs: now - 21_000, submittedAtMs: now - 20_000, nextCheckAtMs: now + 10_000 }),
          jobOf("vid_2b3c4d5e6f708192", {
            state: "running",
            progress: 42,
            faceAssetId: faces[1].assetId,
            faceName: faces[1].name,
            model: "bytedance/seedance-2.0",
            resolution: "1080p",
            durationSeconds: 10,
            prompt: "He walks toward the camera through a sunlit greenhouse, then stops and nods",
            createdAtMs: now - 100_000,
            submittedAtMs: now - 95_000,
            priceUsd: "1.52",
          }),
          jobOf("vid_3c4d5e6f70819203", {
            state: "completed",
            charged: true,
            resultUrl: "https://cdn.example/v/3c4d.mp4",
            localPath: `${MEDIA}/vid_3c4d5e6f70819203.mp4`,
            createdAtMs: now - 3_600_000,
            submittedAtMs: now - 3_598_000,
            completedAtMs: now - 3_476_000,
            aspectRatio: "4:3",
          }),
          jobOf("vid_4d5e6f7081920314", {
            state: "failed",
            charged: false,
            error:
              'Rehearsal\'s output check turned down the finished video (The output video may contain sensitive information). Nothing was charged. Change the prompt (no brands, famous people or sensitive content) and try again.',
            prompt: "A famous pop star sings on stage in front of a giant logo",
            createdAtMs: now - 7_200_000,
            submittedAtMs: now - 7_198_000,
            completedAtMs: now - 7_010_000,
          }),
          jobOf("vid_5e6f708192031425", {
            state: "downloading",
            charged: true,
            resultUrl: "https://cdn.example/v/5e6f.mp4",
            error: "The download was cut off (connection reset by peer). Press Download to try again: the video is made, and fetching it again costs nothing.",
            createdAtMs: now - 10_800_000,
            submittedAtMs: now - 10_797_000,
            completedAtMs: now - 10_650_000,
          }),
          jobOf("vid_6f70819203142536", {
            state: "failed",
            charged: false,
            submittedAtMs: null,
            paymentId: null,
            remoteId: null,
            error: "Declined: nothing was signed or charged.",
            createdAtMs: now - 14_400_000,
            completedAtMs: now - 14_390_000,
          }),
        ]
      : [];
  let jobChannel = null;
  let jobIndex = 0;
  const pushJob = (j) => {
    j.updatedAtMs = Math.max(Date.now(), j.updatedAtMs + 1);
    const at = videoJobs.findIndex((k) => k.id === j.id);
    if (at >= 0) videoJobs[at] = j;
    else videoJobs.unshift(j);
    if (jobChannel !== null) callbacks.get(jobChannel)?.({ index: jobIndex++, message: jobView(j) });
    return jobView(j);
  };
  /** The provider's side of a sent job: queued, generating, made, downloaded (or refused). */
  const runJob = (id) => {
    const step = () => window.__mock.videoStepMs;
    const update = (patch) => pushJob({ ...videoJobs.find((k) => k.id === id), ...patch });
    setTimeout(() => update({ state: "running", progress: 10 }), step());
    setTimeout(() => update({ state: "running", progress: 55 }), 2 * step());
    setTimeout(() => {
      if (window.__mock.failVideo) {
        const j = videoJobs.find((k) => k.id === id);
        update({
          state: "failed",
          charged: false,
          progress: null,
          completedAtMs: Date.now(),
          error: `${LABEL[j.provider]}'s output check turned down the finished video (The output video may contain sensitive information). Nothing was charged. Change the prompt (no brands, famous people or sensitive content) and try again.`,
        });
        return;
      }
      update({ state: "downloading", progress: 100, resultUrl: "https://cdn.example/v/new.mp4", completedAtMs: Date.now() });
      setTimeout(() => update({ state: "completed", charged: true, localPath: `${MEDIA}/${id}.mp4` }), step());
    }, 3 * step());
  };

  async function handle(cmd, args) {
    switch (cmd) {
      case "get_stage":
        return stageOf(settings);
      case "get_settings":
        return { ...settings };
      case "update_settings":
        return later(300, () => {
          const next = args.settings;
          if (KEY_ONLY.has(next.provider) && !apiKeys.has(next.provider)) {
            refuse("not_configured", `${LABEL[next.provider]} is not set up yet: add its API key in Settings.`);
          }
          if (next.provider !== "rehearsal" && next.paymentMethod === "api_key" && !apiKeys.has(next.provider)) {
            refuse(
              "not_configured",
              `${LABEL[next.provider]} is not set up yet: add its API key (${KEY_HINT[next.provider]}) in Settings, or pay with the studio wallet`,
            );
          }
          if (next.callbackPort === next.rehearsalPort) {
            refuse("invalid_input", "Pick a port between 1024 and 65535 for the phone's return page, not Rehearsal's.", "callback_port");
          }
          if (next.studioDatabase && /^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(next.studioDatabase.url)) {
            refuse("invalid_input", "Leave the password out of the address and type it in the password field: it is kept in this computer's keychain.", "database_url");
          }
          if (Array.from(next.operatorName.trim()).length > 80) {
            refuse("invalid_input", `The operator's name is ${Array.from(next.operatorName.trim()).length} characters; keep it to 80 or fewer.`, "operator_name");
          }
          if (next.jarvisclawRedirectUrl !== null && !next.jarvisclawRedirectUrl.startsWith("https://")) {
            refuse("invalid_input", "The page after the phone check must be a full https:// link, or left empty.", "jarvisclaw_redirect_url");
          }
          settings = { ...next };
          return stageOf(settings);
        });
      case "set_api_key":
        window.__mock.keyCalls.push(args.provider);
        return later(300, () => {
          if (args.key.trim() === "") refuse("invalid_input", "Paste the API key from the provider's dashboard.", "api_key");
          apiKeys.add(args.provider);
          return stageOf(settings);
        });
      case "sync_faces":
        return later(400, () => {
          if (settings.provider === "jarvisclaw") {
            refuse("not_configured", "JarvisClaw is not set up yet: it has no face listing to sync from. Faces enrolled here are already in the library.");
          }
          const added = [
            { ...faces[0], assetId: "ta_aa01bb02cc03dd04ee05ff0611223344", name: "Mary Jackson", thumbnail: face(300), groupId: "grp_mj", enrolledAtMs: now - 86_400_000 * 4, consent: null },
            { ...faces[0], assetId: "ta_99887766554433221100ffeeddccbbaa", name: "Annie Easley", thumbnail: face(60), groupId: "grp_ae", enrolledAtMs: now - 86_400_000 * 5, consent: null },
          ].filter((f) => !libraryFaces.some((g) => g.assetId === f.assetId));
          libraryFaces.push(...added);
          return { added: added.length, updated: added.length > 0 ? 1 : 0, unchanged: libraryFaces.length - added.length - (added.length > 0 ? 1 : 0), conflicts: 0 };
        });
      case "watch_sessions":
        channel = args.onUpdate.id;
        return null;
      case "watch_assets":
        assetChannel = args.onUpdate.id;
        return null;
      case "watch_library":
        libraryChannel = args.onChange.id;
        setTimeout(pushLibrary, 0);
        return null;
      case "get_library_status":
        return {
          sharedTarget: scenario === "desks" ? "casting@db.studio:5432/day" : null,
          desk: scenario === "desks" ? "Desk 1" : null,
          problem:
            scenario === "library-problem"
              ? { code: "database_unreachable", message: "The studio database is not in use: could not reach db.studio:5432. This desk works on its own library until the app is restarted with the database reachable; faces and payments made now stay on this desk and count against its own limits.", field: null, retryAfterSeconds: null }
              : null,
        };
      case "set_database_password":
        window.__mock.databasePasswordSet = true;
        return null;
      case "restart_app":
        window.__mock.restarts += 1;
        return null;
      case "list_other_desks_sessions":
        return otherDesks;
      case "take_over_session": {
        const taken = otherDesks.find((d) => d.session.id === args.id);
        if (!taken) refuse("not_found", "That session is no longer open at another desk.");
        otherDesks = otherDesks.filter((d) => d.session.id !== args.id);
        sessions.set(taken.session.id, taken.session);
        setTimeout(pushLibrary, 0);
        return later(200, () => viewOf(taken.session));
      }
      case "check_asset_file":
        window.__mock.assetCalls.push(`check:${args.assetType}`);
        return later(500, () => {
          if (args.url.includes("missing")) {
            refuse("invalid_input", "The link leads to a 'not found' page (404). Copy the link again from the page that shows the file.", "url");
          }
          if (args.assetType === "image") {
            return { kind: "photo", ...checkPhoto(args.url), provider: "BytePlus" };
          }
          return checkMedia(args.assetType, args.url);
        });
      case "add_asset":
        window.__mock.assetCalls.push(`add:${args.assetType}:${args.photoOverride}`);
        return later(600, () => {
          const checked = args.assetType === "image" ? null : checkMedia(args.assetType, args.url);
          if (checked?.checks.some((c) => c.verdict === "fail")) {
            refuse("invalid_input", checked.checks.find((c) => c.verdict === "fail").message, "url");
          }
          const owner = libraryFaces.find((f) => f.groupId === args.groupId);
          if (owner === undefined) refuse("invalid_input", "This group is not in the library yet.", "group");
          const f = {
            ...owner,
            assetId: `asset-20260702${String(230000 + assetIndex)}-new${args.assetType.slice(0, 2)}`,
            imageUrl: args.url,
            thumbnail: args.assetType === "image" ? checkPhoto(args.url).thumbnail : null,
            enrolledAtMs: Date.now(),
            assetType: args.assetType,
            status: "processing",
            statusMessage: null,
            photoOverride: args.photoOverride ? "face_count" : null,
          };
          pushAsset(f);
          settleLater(f);
          return f;
        });
      case "check_asset":
        return later(400, () => {
          const f = libraryFaces.find((g) => g.assetId === args.assetId);
          if (f === undefined) refuse("not_found", "There is no such asset in the library.");
          return f;
        });
      case "video_options":
        return later(120, () => {
          if (settings.provider === "rehearsal" && settings.rehearsalPersonality === undefined) refuse("not_configured", "Rehearsal is not running.");
          return videoOptions();
        });
      case "quote_video":
        window.__mock.videoCalls.push("quote");
        return later(400, () => {
          const o = videoOptions();
          const r = args.request;
          if (!o.faces.some((f) => f.assetId === r.faceAssetId)) {
            refuse("invalid_input", `${r.faceAssetId} was enrolled with another provider; face ids never cross providers. Pick a face enrolled with ${LABEL[settings.provider]}.`, "face");
          }
          if (r.prompt.trim() === "") refuse("invalid_input", "Describe the video in the prompt (what the person does, the setting, the light).", "prompt");
          if (r.prompt.includes("4k")) refuse("invalid_input", `Seedance 2.0 fast at ${LABEL[o.api]} does not offer 4K. Choose 480p or 720p.`, "resolution");
          const model = o.models.find((m) => m.id === r.model) ?? o.models[1];
          const wallet = o.billing === "wallet";
          const price = wallet ? (model.tier === "seedance-2.0" ? "1.52" : "0.79") : null;
          const f = o.faces.find((g) => g.assetId === r.faceAssetId);
          const j = {
            ...jobOf(`vid_${String(Date.now()).slice(-8)}a0b1c2d3`, {}),
            provider: settings.provider,
            faceAssetId: r.faceAssetId,
            faceName: f.name,
            model: model.id,
            prompt: r.prompt,
            durationSeconds: r.durationSeconds,
            resolution: r.resolution,
            aspectRatio: r.aspectRatio,
            state: "awaiting_confirmation",
            remoteId: null,
            paymentId: null,
            priceUsd: price,
            createdAtMs: Date.now(),
            submittedAtMs: null,
            billing: o.billing,
            quote: wallet ? videoQuote(price) : null,
            payeeChanged: wallet && window.__mock.videoPayeeChanged,
          };
          return pushJob(j);
        });
      case "confirm_video":
        window.__mock.videoCalls.push(`confirm:${args.payeeChangeConfirmed}`);
        return later(500, () => {
          const j = videoJobs.find((k) => k.id === args.jobId);
          if (j?.state !== "awaiting_confirmation") refuse("invalid_input", "This job is not waiting for confirmation; there is nothing to confirm.", "job");
          if (j.payeeChanged && !args.payeeChangeConfirmed) {
            refuse("confirmation_needed", "This payee differs from the one paid before. Confirm the new payee to pay it.");
          }
          const sent = { ...j, state: "queued", quote: null, payeeChanged: false, submittedAtMs: Date.now(), remoteId: "task_new", paymentId: j.billing === "wallet" ? `pay_${j.id}` : null };
          setTimeout(() => runJob(j.id), 0);
          return pushJob(sent);
        });
      case "decline_video":
        window.__mock.videoCalls.push("decline");
        return later(200, () => {
          const j = videoJobs.find((k) => k.id === args.jobId);
          return pushJob({ ...j, state: "failed", charged: false, quote: null, completedAtMs: Date.now(), error: j.quote ? "Declined: nothing was signed or charged." : "Declined: nothing was sent or charged." });
        });
      case "list_jobs":
        return later(60, () => videoJobs.map(jobView));
      case "watch_jobs":
        jobChannel = args.onUpdate.id;
        return null;
      case "download_job":
        window.__mock.videoCalls.push(`download:${args.jobId}`);
        return later(600, () => {
          const j = videoJobs.find((k) => k.id === args.jobId);
          return pushJob({ ...j, state: "completed", error: null, localPath: `${MEDIA}/${j.id}.mp4` });
        });
      case "reveal_job_file":
        window.__mock.videoCalls.push(`reveal:${args.jobId}`);
        return later(50, () => null);
      case "clip_copy": {
        // As the backend keeps a clip fetched from its link: in the media folder, by asset id.
        const f = libraryFaces.find((x) => x.assetId === args.assetId);
        if (!f || f.assetType === "image") refuse("invalid_input", "Only video and voice clips are played here; a photo shows as the picture.", "asset");
        if (!f.imageUrl.startsWith("https://")) refuse("invalid_input", "This video has no web link to play it from. It is still usable in Generate.", "url");
        return later(300, () => `${MEDIA}/clip-${f.assetId}.${f.assetType === "audio" ? "mp3" : "mp4"}`);
      }
      case "save_video":
        // The Save dialog, answered as the producer would: a name in their Videos folder.
        window.__mock.videoCalls.push(`save:${args.jobId}`);
        return later(50, () => `/home/producer/Videos/${args.jobId}.mp4`);
      case "list_open_sessions":
        return open;
      case "list_faces":
        // 10,000 rows take the backend `listDelayMs` to list and serialise (docs/PERFORMANCE.md,
        // `library_10k/list_as_ipc_json`): the answer arrives that late, and is parsed here.
        return bigListJson !== null ? later(listDelayMs, () => JSON.parse(bigListJson)) : libraryFaces.map(summaryOf);
      case "face_thumbnail": {
        window.__mock.thumbnailCalls += 1;
        const f = libraryFaces.find((g) => g.assetId === args.assetId);
        return later(5, () => (f === undefined ? null : thumbnailOf(f)));
      }
      case "get_face": {
        const f = libraryFaces.find((g) => g.assetId === args.assetId);
        if (f === undefined) refuse("not_found", "There is no such face in the library.");
        return later(60, () => ({ ...f, thumbnail: thumbnailOf(f), consent: f.consent ?? null }));
      }
      case "export_receipt": {
        const f = libraryFaces.find((g) => g.assetId === args.assetId);
        if (f === undefined) refuse("not_found", "There is no such face in the library.");
        return later(80, () => receiptOf(f));
      }
      case "check_photo":
        if (args.imageUrl.includes("large")) {
          // A 6.5 MB photo: the download reports its progress before the answer.
          const total = 6_500_000;
          for (let i = 0; i <= 4; i++) await later(250, () => photoProgress(args.imageUrl, (total * i) / 4, total));
        }
        return later(500, () => checkPhoto(args.imageUrl));
      case "plugin:event|listen":
        if (args.event === "photo-progress") photoListeners.add(args.handler);
        return args.handler;
      case "plugin:event|unlisten":
        photoListeners.delete(args.eventId);
        return null;
      case "start_session": {
        const s = { ...ada, talentName: args.name, imageUrl: args.imageUrl, ...issued(), createdAtMs: Date.now() };
        sessions.set(s.id, s);
        return later(400, () => viewOf(s));
      }
      case "refresh_session": {
        const s = { ...sessions.get(args.id), state: "awaiting_scan", ...issued() };
        sessions.set(s.id, s);
        return later(400, () => viewOf(s));
      }
      case "start_phone_test": {
        const nonce = `n${nextId++}`;
        phoneTests.set(nonce, null);
        return { nonce, link: `http://192.168.1.20:8402/phone-test?nonce=${nonce}`, qrSvg };
      }
      case "await_phone_test":
        // Tests open the page with `window.__mock.phoneTestOpens(nonce)`.
        return new Promise((resolve) => {
          phoneTests.set(args.nonce, resolve);
        });
      case "check_session":
        return later(300, () => {
          if (budget.statusChecksLeft === 0) {
            const wait = Math.max(1, Math.round(((budget.statusFreesAtMs ?? Date.now() + 600_000) - Date.now()) / 1000));
            refuse("rate_limited", `Rehearsal is rate-limiting us. Try again in about ${Math.ceil(wait / 60)} minutes.`, null, wait);
          }
          budget = { ...budget, statusChecksLeft: budget.statusChecksLeft - 1 };
          return viewOf(sessions.get(args.id));
        });
      case "cancel_session": {
        const s = { ...sessions.get(args.id), state: "cancelled", updatedAtMs: Date.now() };
        sessions.set(s.id, s);
        return viewOf(s);
      }
      case "enroll_session": {
        // Another photo replaces the session's own; it is checked before anything is sent.
        window.__mock.enrollCalls.push(args.imageUrl);
        const s = { ...sessions.get(args.id), ...(args.imageUrl === null ? {} : { imageUrl: args.imageUrl }) };
        await later(200, () => checkPhoto(s.imageUrl));
        sessions.set(s.id, s);
        if (window.__mock.requirePayment) {
          const asking = { ...s, state: "awaiting_payment", updatedAtMs: Date.now() };
          sessions.set(s.id, asking);
          const v = viewOf(asking, { quote, payeeChanged: window.__mock.payeeChanged });
          push(v);
          return { outcome: "payment_required", view: v };
        }
        const enrolling = { ...s, state: "enrolling", updatedAtMs: Date.now() };
        push(viewOf(enrolling));
        await later(700, () => null);
        if (KEY_ONLY.has(s.provider)) {
          // BytePlus: the photo goes into the talent's group as an asset the provider processes.
          const f = {
            ...asset("223855-bdv2r", "image", "processing", 0),
            name: s.talentName,
            imageUrl: s.imageUrl,
            thumbnail: checkPhoto(s.imageUrl).thumbnail,
            groupId: s.groupId,
            enrolledAtMs: Date.now(),
          };
          const done = { ...s, state: "enrolled", assetId: f.assetId, updatedAtMs: Date.now() };
          sessions.set(s.id, done);
          libraryFaces.push(f);
          push(viewOf(done, { asset: f }));
          settleLater(f);
          return { outcome: "enrolled", face: f };
        }
        if (window.__mock.failEnroll) {
          const back = { ...s, state: "verified", updatedAtMs: Date.now() };
          sessions.set(s.id, back);
          const notice = {
            code: "face_mismatch",
            message: "The photo does not match the live face. Nothing was charged. Try a clearer, front-facing photo of the same person.",
            field: "image_url",
          };
          push(viewOf(back, { notice }));
          refuse(notice.code, notice.message, notice.field);
        }
        const assetId = "ta_3b9e0c4d2a7f4b1c9e8d7a6b5c4d3e2f";
        const done = { ...s, state: "enrolled", assetId, updatedAtMs: Date.now() };
        sessions.set(s.id, done);
        push(viewOf(done));
        const { thumbnail } = checkPhoto(s.imageUrl);
        return {
          outcome: "enrolled",
          face: { ...faces[0], assetId, name: s.talentName, imageUrl: s.imageUrl, thumbnail, groupId: s.groupId, enrolledAtMs: Date.now() },
        };
      }
      case "confirm_payment": {
        const s = sessions.get(args.id);
        if (s?.state !== "awaiting_payment") refuse("not_ready", "There is no price waiting for this session.");
        if (window.__mock.payeeChanged && !args.payeeChangeConfirmed) {
          refuse("confirmation_needed", "This payee differs from the one paid before. Confirm the new payee to pay it.");
        }
        if (window.__mock.refusePayment) {
          await later(300, () => null);
          refuse(
            "payment_refused",
            "The price of $0.01 is over today's remaining cap of $0.00 (daily cap $20). Nothing was signed.",
          );
        }
        window.__mock.confirmCalls.push(args.payeeChangeConfirmed);
        const enrolling = { ...s, state: "enrolling", updatedAtMs: Date.now() };
        sessions.set(s.id, enrolling);
        push(viewOf(enrolling));
        await later(900, () => null);
        const assetId = "ta_3b9e0c4d2a7f4b1c9e8d7a6b5c4d3e2f";
        const txHash = "0x5d2e8f1a3c4b6d7e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6";
        const done = { ...s, state: "enrolled", assetId, updatedAtMs: Date.now() };
        sessions.set(s.id, done);
        ledger.unshift(payment(0, "settled", { purpose: `realface:${s.id}`, settlementTx: txHash, assetId, createdAtMs: Date.now() }));
        push(viewOf(done));
        const { thumbnail } = checkPhoto(s.imageUrl);
        return { ...faces[0], assetId, name: s.talentName, imageUrl: s.imageUrl, thumbnail, groupId: s.groupId, enrolledAtMs: Date.now(), priceUsd: "0.01", txHash };
      }
      case "quote_portrait":
        return later(500, () => {
          if (args.name.trim() === "") refuse("invalid_input", "Type the talent's name (it labels the face in the library).", "name");
          const id = `ptq_${String(Date.now()).slice(-8)}`;
          const portraitQuote = {
            ...quote,
            amountAtomic: "500000",
            amountUsdc: "0.5",
            resource: "http://127.0.0.1:8402/v1/portrait/enroll",
            description: null,
          };
          portraitQuotes.set(id, { name: args.name.trim(), imageUrl: args.imageUrl });
          return {
            id,
            name: args.name.trim(),
            imageUrl: args.imageUrl,
            provider: "rehearsal",
            quote: portraitQuote,
            payeeChanged: false,
            buys: `Enrolls “${args.name.trim()}” at Rehearsal as a virtual portrait (AI character — no liveness).`,
            notice: null,
          };
        });
      case "confirm_portrait": {
        const held = portraitQuotes.get(args.quoteId);
        if (held === undefined) {
          refuse("invalid_input", "The price shown for this portrait is no longer held (it was paid, declined, or the app restarted). Get the price again; nothing was signed.", "quote");
        }
        portraitQuotes.delete(args.quoteId);
        await later(900, () => null);
        const assetId = "ta_7c1d9e2f3a4b5c6d7e8f9a0b1c2d3e4f";
        const txHash = "0x7a1e8f1a3c4b6d7e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6";
        ledger.unshift(payment(0, "settled", { purpose: `portrait:${held.name}|${held.imageUrl}`, amountAtomic: "500000", settlementTx: txHash, assetId, createdAtMs: Date.now() }));
        const { thumbnail } = checkPhoto(held.imageUrl);
        const f = { ...faces[0], assetId, kind: "portrait", name: held.name, imageUrl: held.imageUrl, thumbnail, groupId: null, enrolledAtMs: Date.now(), priceUsd: "0.50", txHash };
        libraryFaces.push(f);
        return { outcome: "enrolled", face: f };
      }
      case "decline_portrait":
        portraitQuotes.delete(args.quoteId);
        return later(200, () => null);
      case "decline_payment": {
        const s = { ...sessions.get(args.id), state: "verified", updatedAtMs: Date.now() };
        sessions.set(s.id, s);
        return later(200, () => viewOf(s));
      }
      case "list_payments":
        return later(150, () => ledger.slice());
      case "list_account_charges":
        // The payments scenario: an Anyfast person filed on the key, and a video sent on it.
        return scenario === "payments"
          ? [
              { atMs: now - 1_800_000, provider: "anyfast", kind: "video", name: "Katherine Johnson", reportedUsd: null, reference: "cgt-20261207-7f3a", operator: "Sam Rivera" },
              { atMs: now - 5_400_000, provider: "anyfast", kind: "face", name: "Katherine Johnson", reportedUsd: null, reference: "asset-20261207101500-k3j9q", operator: "Sam Rivera" },
            ]
          : [];
      case "get_wallet":
        return studioWallet;
      case "sample_photo":
        return "/home/operator/.local/share/studio.likeness.app/photos/6f1d2c0a9b8e7d6c.jpg";
      case "estimate_video": {
        // BlockRun's metering (crates/api/src/metering.rs), rounded up to the cent.
        const r = args.request;
        const fast = (r.model ?? "bytedance/seedance-2.0-fast").includes("fast");
        const quarters = { "480p": 2, "720p": 4, "1080p": 9 }[r.resolution ?? "720p"] ?? 4;
        const micro = (21_690 * (r.durationSeconds ?? 5) * quarters * (fast ? 7.252 : 9.9715) * 1.05) / 4;
        return { priceUsd: (Math.ceil(micro / 10_000) / 100).toFixed(2), usually: "usually 1–3 min (BlockRun's figure)" };
      }
      case "get_wallet_balance": {
        // Rehearsal's test network: 20 test USDC less what settled.
        const spent = ledger.filter((p) => p.status === "settled").reduce((sum, p) => sum + BigInt(p.amountAtomic), 0n);
        const network = args.network ?? "base-sepolia";
        if (network === "base") {
          return { state: "unknown", network, address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", reason: "The wallet's balance could not be read from https://mainnet.base.org/: the node could not be reached." };
        }
        return { state: "known", network, address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", atomic: String(20_000_000n - spent), readAtMs: Date.now() };
      }
      case "get_payee": {
        // As Checkout::payee reads the ledger: settled payments to this provider, newest first.
        const settled = ledger.filter((p) => p.provider === args.provider && p.status === "settled");
        const here = settled.filter((p) => p.payee.toLowerCase() === args.address.toLowerCase());
        return {
          provider: args.provider,
          address: args.address,
          timesPaid: here.length,
          lastPaidMs: here.length === 0 ? null : Math.max(...here.map((p) => p.createdAtMs)),
          changed: settled.length > 0 && settled[0].payee.toLowerCase() !== args.address.toLowerCase(),
        };
      }
      case "get_enrollment_funds": {
        // As the core says it: BlockRun's documented $0.011 against the wallet; account-billed APIs say nothing.
        if (!["blockrun", "jarvisclaw"].includes(videoApi())) return { state: "not_from_wallet" };
        const spent = ledger.filter((p) => p.status === "settled").reduce((sum, p) => sum + BigInt(p.amountAtomic), 0n);
        const balance = (window.__mock.walletFundsAtomic ?? 20_000_000n) - spent;
        return balance < 11_000n
          ? { state: "short", priceAtomic: "11000", balanceAtomic: String(balance) }
          : { state: "enough", priceAtomic: "11000", balanceAtomic: String(balance) };
      }
      case "create_wallet":
        window.__mock.walletCalls.push("create");
        if (studioWallet !== null) {
          refuse("invalid_input", `A studio wallet already exists (${studioWallet.address}). To replace it, delete it first.`, "wallet_key");
        }
        return later(300, () => (studioWallet = studioWalletOf(STUDIO_ADDRESS)));
      case "import_wallet":
        window.__mock.walletCalls.push("import");
        return later(300, () => {
          if (!/^(0x)?[0-9a-fA-F]{64}$/.test(args.privateKey.trim())) {
            refuse("invalid_input", "That wallet key cannot be used: it must be 64 hexadecimal characters, with or without 0x.", "wallet_key");
          }
          if (studioWallet !== null) {
            refuse("invalid_input", `A studio wallet already exists (${studioWallet.address}). To replace it, delete it first.`, "wallet_key");
          }
          return (studioWallet = studioWalletOf("0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B"));
        });
      case "export_wallet":
        window.__mock.walletCalls.push(`export:${args.confirmed}`);
        if (!args.confirmed) {
          refuse("invalid_input", "Exporting shows the wallet's private key. Confirm explicitly to export it.", "wallet_key");
        }
        if (studioWallet === null) refuse("not_found", "There is no studio wallet yet. Create one or import a key first.");
        return later(200, () => STUDIO_KEY);
      case "delete_wallet":
        window.__mock.walletCalls.push("delete");
        return later(300, () => {
          studioWallet = null;
          return null;
        });
      case "open_explorer":
        window.__mock.walletCalls.push("open_explorer");
        return later(50, () => null);
      case "talent_view":
        return later(50, () => talent);
      case "watch_talent":
        return null;
      case "agree_to_release":
        talent = { ...talent, stage: "scan", qrSvg, release: null, agreedAs: args.typedName, expiresAtMs: Date.now() + 120_000 };
        return later(200, () => talent);
      case "get_release":
        return later(50, () => release);
      case "save_release":
        release = { ...args.release, version: release.version + 1, savedAtMs: Date.now() };
        return later(200, () => release);
      case "open_talent_view":
        return later(50, () => null);
      case "rename_face":
      case "set_face_tags": {
        // As the core: the whole person (one provider's group) takes the name or the tags.
        const f = libraryFaces.find((x) => x.assetId === args.assetId);
        if (f === undefined) refuse("not_found", `No asset ${args.assetId} in the library.`);
        const person = libraryFaces.filter((x) => x === f || (f.groupId && x.provider === f.provider && x.groupId === f.groupId));
        if (cmd === "rename_face") {
          const name = args.name.trim();
          if (name === "") refuse("invalid_input", "Type the talent's name (it labels the face in the library).", "name");
          if ([...name].length > 64) refuse("invalid_input", `The name is ${[...name].length} characters; providers accept at most 64. Shorten it.`, "name");
          for (const x of person) x.name = name;
        } else {
          const tags = [];
          for (const raw of args.tags) {
            const t = raw.trim().split(/\s+/).join(" ");
            if (t === "") continue;
            if ([...t].length > 40) refuse("invalid_input", `The tag "${t}" is ${[...t].length} characters; keep each tag to 40 or fewer.`, "tags");
            if (!tags.some((k) => k.toLowerCase() === t.toLowerCase())) tags.push(t);
          }
          if (tags.length > 12) refuse("invalid_input", `That is ${tags.length} tags; a face takes at most 12. Remove some.`, "tags");
          for (const x of person) x.tags = tags;
        }
        return later(120, () => ({ ...f, thumbnail: thumbnailOf(f), consent: f.consent ?? null }));
      }
      case "revoke_face": {
        const f = faces.find((x) => x.assetId === args.assetId);
        if (f === undefined) throw { code: "not_found", message: `No asset ${args.assetId} in the library.`, field: null };
        f.revoked ??= { atMs: Date.now(), reason: args.reason };
        return later(200, () => f);
      }
      case "export_receipt_pdf":
        return later(200, () => `/home/operator/Downloads/${args.assetId}-consent.pdf`);
      case "export_payments_csv":
        return later(300, () => "/home/operator/Downloads/likeness-payments-2026-11-23.csv");
      case "pick_photo_file":
        return later(200, () => "/home/operator/Pictures/casting/ada-lovelace.jpg");
      case "keep_photo":
        return later(150, () => "/home/operator/.local/share/studio.likeness/photos/5f2c9a1b7d3e8a44.png");
      case "photo_files_ready":
        return later(50, () => {
          // Rehearsal serves files itself and Anyfast takes them inline; the others need a bucket.
          if (!["rehearsal", "anyfast"].includes(settings.provider) && settings.photoHosting.bucket === "") {
            refuse(
              "hosting_missing",
              `${LABEL[settings.provider]} fetches the face photo from a link, so a photo file must be hosted for it first, and no photo hosting is set. Set up a bucket in Settings → Photo hosting (or paste a public https link to the photo instead). Nothing was paid.`,
            );
          }
          return null;
        });
      case "save_photo_hosting":
        return later(300, () => {
          settings = { ...settings, photoHosting: { ...args.hosting } };
          return stageOf(settings);
        });
      case "check_photo_hosting":
        return later(600, () => {
          if (settings.photoHosting.bucket === "") {
            refuse("invalid_input", "Name the bucket the photos go in (Settings → Photo hosting).", "hosting_bucket");
          }
          return { bucket: settings.photoHosting.bucket, uploaded: true, linkServed: true, private: true, deleted: true, linkSeconds: 600 };
        });
      default:
        throw `command ${cmd} not found`;
    }
  }

  window.__TAURI_INTERNALS__ = {
    transformCallback(cb, once = false) {
      const id = nextId++;
      callbacks.set(id, (data) => {
        if (once) callbacks.delete(id);
        return cb?.(data);
      });
      return id;
    },
    unregisterCallback(id) {
      callbacks.delete(id);
    },
    runCallback(id, data) {
      callbacks.get(id)?.(data);
    },
    callbacks,
    invoke: (cmd, args) => handle(cmd, args ?? {}),
    // The asset protocol as the shell serves it on Windows and Android (Linux: asset://localhost/).
    convertFileSrc: (filePath, protocol = "asset") => `http://${protocol}.localhost/${encodeURIComponent(filePath)}`,
    metadata: talentWindow
      ? { currentWindow: { label: "talent" }, currentWebview: { windowLabel: "talent", label: "talent" } }
      : { currentWindow: { label: "main" }, currentWebview: { windowLabel: "main", label: "main" } },
  };
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = {
    unregisterListener(_event, id) {
      callbacks.delete(id);
    },
  };
  window.__mock = {
    failEnroll: false,
    /** Enroll answers with a price to confirm (x402). */
    requirePayment: paying,
    payeeChanged: scenario === "payee-changed",
    refusePayment: false,
    /** The `payeeChangeConfirmed` of every paid confirm, in order. */
    confirmCalls: [],
    /** The `imageUrl` of every enroll, in order (null: the session's own photo). */
    enrollCalls: [],
    /** The provider refuses the next processed asset (a face that does not match). */
    failAsset: false,
    /** How long the provider takes to process an upload. */
    assetDelayMs: 1500,
    /** `check_asset_file` and `add_asset` calls, as "check:<type>" and "add:<type>:<override>". */
    assetCalls: [],
    pushAsset,
    /** Previews asked for with `face_thumbnail`. */
    thumbnailCalls: 0,
    /** Video commands, in order: "quote", "confirm:<payeeChangeConfirmed>", "decline", "download:<id>", "reveal:<id>". */
    videoCalls: [],
    /** How long each step of a sent video takes at the provider. */
    videoStepMs: 700,
    /** The provider's output check refuses the next finished video. */
    failVideo: false,
    /** The video price goes to a payee this provider was not paid before. */
    videoPayeeChanged: scenario === "generate-payee-changed",
    /** The studio wallet commands, by name (export with its `confirmed`), in order. */
    walletCalls: [],
    /** The provider of every `set_api_key`, in order (never the key). */
    keyCalls: [],
    /** Changes the hourly call budget the next views carry. */
    setBudget(patch) {
      budget = { ...budget, ...patch };
    },
    /** The key `export_wallet` answers, so a script can check it is gone from the page. */
    studioKey: STUDIO_KEY,
    push,
    databasePasswordSet: false,
    restarts: 0,
    /** Another desk files a face: the faces' version moves. */
    anotherDeskFiles() {
      facesVersion += 1;
      pushLibrary();
    },
    /** The talent's phone opens the session's page (Rehearsal sees the first fetch). */
    phoneOpens(id) {
      phoneSeen.add(id);
      push(viewOf(sessions.get(id)));
    },
    /** A phone opens the Phone test page for `nonce`. */
    phoneTestOpens(nonce) {
      phoneTests.get(nonce)?.(Date.now());
      phoneTests.delete(nonce);
    },
    set(id, patch, extra = {}) {
      const s = { ...sessions.get(id), ...patch, updatedAtMs: Date.now() };
      sessions.set(id, s);
      push(viewOf(s, extra));
    },
  };
  document.addEventListener("securitypolicyviolation", (e) => {
    console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
  });
  // tauri.conf.json: "freezePrototype": true
  Object.freeze(Object.prototype);
}
