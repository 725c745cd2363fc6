// The one door to the backend: the only module that imports `@tauri-apps/*` or `./bindings`.
//
// `./bindings` is generated from the Rust commands by tauri-specta (src-tauri/tests/ipc.rs).
// The app's own type names below are derived from the command signatures rather than imported
// by name, so a renamed or phase-split type in a regenerated file cannot silently drift.

import { Channel, convertFileSrc as tauriFileSrc } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { getCurrentWebviewWindow } from "@tauri-apps/api/webviewWindow";
import { API_CAPABILITIES, commands } from "./bindings";

export { API_CAPABILITIES, commands };
export type * from "./bindings";

type Answer<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;

export type StageInfo = Answer<typeof commands.getStage>;
export type Settings = Answer<typeof commands.getSettings>;
export type SettingsInput = Parameters<typeof commands.updateSettings>[0];
export type PhotoCheck = Answer<typeof commands.checkPhoto>;
export type PhotoCheckItem = PhotoCheck["checks"][number];
export type PhotoCheckId = PhotoCheckItem["id"];
export type PhotoVerdict = PhotoCheckItem["verdict"];
export type SessionView = Answer<typeof commands.startSession>;
/** What another desk changed, as `watch_library` streams it. */
export type LibraryChange = Parameters<typeof commands.watchLibrary>[0] extends Channel<infer T> ? T : never;
export type LibraryStatus = Answer<typeof commands.getLibraryStatus>;
export type DeskSession = Answer<typeof commands.listOtherDesksSessions>[number];
export type LivenessSession = SessionView["session"];
export type SessionState = LivenessSession["state"];
export type EnrollOutcome = Answer<typeof commands.enrollSession>;
export type Face = Answer<typeof commands.confirmPayment>;
export type PaymentQuote = NonNullable<SessionView["quote"]>;
export type PaymentRecord = Answer<typeof commands.listPayments>[number];
export type PaymentStatus = PaymentRecord["status"];
export type PaymentMethod = StageInfo["paymentMethod"];
export type WalletInfo = NonNullable<StageInfo["wallet"]>;
export type FaceKind = Face["kind"];
/** What a library entry is: a photo, a video or a voice clip (`ta_…` faces are always images). */
export type AssetType = Face["assetType"];
/** Where the provider stands with an entry: `ta_…` faces are active once enrolled. */
export type AssetStatus = Face["status"];
/** A file checked before it goes into a person's group: a photo's checklist, or a video's or clip's. */
export type AssetFileCheck = Answer<typeof commands.checkAssetFile>;
export type MediaCheck = Omit<Extract<AssetFileCheck, { kind: "media" }>, "kind">;
export type MediaCheckItem = MediaCheck["checks"][number];
export type MediaCheckId = MediaCheckItem["id"];
export type ProviderKind = Face["provider"];
/** One library row as `listFaces` answers it: no preview, no consent details (10,000 list fast). */
export type FaceSummary = Answer<typeof commands.listFaces>[number];
/** Who ran the session, when, the liveness check, the file's sha256 and what paid. */
export type ConsentRecord = NonNullable<Face["consent"]>;
export type ConsentPayment = NonNullable<ConsentRecord["payment"]>;
/** What the video form may offer on the running provider, and the faces usable there. */
export type VideoOptions = Answer<typeof commands.videoOptions>;
export type VideoModelOption = VideoOptions["models"][number];
export type VideoRequest = Parameters<typeof commands.quoteVideo>[0];
export type VideoJob = Answer<typeof commands.quoteVideo>;
export type JobState = VideoJob["state"];
/** Who pays for a video: the studio wallet (x402, a price to confirm) or the provider account. */
export type VideoBilling = VideoJob["billing"];
export type CommandError = NonNullable<SessionView["notice"]>;
export type PortraitQuote = Answer<typeof commands.quotePortrait>;
export type PortraitOutcome = Answer<typeof commands.confirmPortrait>;
export type ErrorCode = CommandError["code"];
/** The studio's release (Settings → Release): production, uses, term, territory, free text. */
export type ReleaseTemplate = Answer<typeof commands.getRelease>;
/** The release as the talent is asked to agree to it: its exact text and that text's sha256. */
export type ReleaseOffer = NonNullable<SessionView["release"]>;
/** What the talent's own window shows: no price, no wallet. */
export type TalentView = NonNullable<Answer<typeof commands.talentView>>;
export type TalentStage = TalentView["stage"];
/** What the talent agreed to, kept with the face. */
export type TalentConsent = NonNullable<ConsentRecord["release"]>;

// A `Record` over the union, so a code added in Rust (and so in the bindings) fails `tsc` here
// until the UI has decided what to do with it.
const KNOWN_CODES: Record<ErrorCode, true> = {
  invalid_input: true,
  not_configured: true,
  network: true,
  timeout: true,
  rate_limited: true,
  unauthorized: true,
  not_ready: true,
  session_expired: true,
  liveness_failed: true,
  face_mismatch: true,
  upstream_failed: true,
  provider_refused: true,
  unexpected_response: true,
  payment_refused: true,
  payment_rejected: true,
  payment_unresolved: true,
  payment_found: true,
  confirmation_needed: true,
  photo_host: true,
  hosting_missing: true,
  keychain: true,
  storage: true,
  database_unreachable: true,
  database_login: true,
  database_newer: true,
  database_conflict: true,
  not_found: true,
  internal: true,
  consent_revoked: true,
  consent_expired: true,
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(KNOWN_CODES, value);
}

const FALLBACK_MESSAGE = "Something went wrong inside the app. Try again; if it keeps happening, restart Likeness Studio.";

/**
 * Whatever a command threw, as a `CommandError`. The backend throws `{code, message, field}`;
 * Tauri itself throws plain strings (a missing command, a refused permission), and JS throws
 * `Error`s. Anything that is not a well-formed `CommandError` becomes `code: "internal"`.
 */
export function asCommandError(e: unknown): CommandError {
  if (typeof e === "object" && e !== null && !(e instanceof Error)) {
    const { code, message, field, retryAfterSeconds, detail } = e as Record<string, unknown>;
    if (typeof message === "string" && message.trim() !== "") {
      return {
        code: isErrorCode(code) ? code : "internal",
        message,
        field: typeof field === "string" && field !== "" ? field : null,
        // With `rate_limited`: how long to wait (the window turns it into a time of day).
        ...(typeof retryAfterSeconds === "number" && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0
          ? { retryAfterSeconds }
          : {}),
        // The technical part behind "Copy details", when the backend set one apart.
        ...(typeof detail === "string" && detail.trim() !== "" ? { detail } : {}),
      };
    }
  }
  if (typeof e === "string" && e.trim() !== "") {
    return { code: "internal", message: e, field: null };
  }
  if (e instanceof Error && e.message.trim() !== "") {
    return { code: "internal", message: e.message, field: null };
  }
  return { code: "internal", message: FALLBACK_MESSAGE, field: null };
}

/**
 * Subscribes to every session change the backend broadcasts. Call once per window: each call
 * opens another stream. Resolves once the backend has accepted the channel.
 */
export async function watchSessions(onUpdate: (view: SessionView) => void): Promise<void> {
  const channel = new Channel<SessionView>(onUpdate);
  await commands.watchSessions(channel);
}

/**
 * Subscribes to every asset status change (a BytePlus upload going from processing to active or
 * failed, and every new upload). Call once per window, like `watchSessions`.
 */
export async function watchAssets(onUpdate: (face: Face) => void): Promise<void> {
  const channel = new Channel<Face>(onUpdate);
  await commands.watchAssets(channel);
}

/**
 * Subscribes to what other desks change on the shared database (the faces' version, their open
 * sessions); the first state arrives at once. Call once per window, like `watchSessions`.
 */
export async function watchLibrary(onChange: (change: LibraryChange) => void): Promise<void> {
  const channel = new Channel<LibraryChange>(onChange);
  await commands.watchLibrary(channel);
}

/**
 * Subscribes to every video job change (queued, generating with progress, downloading, done,
 * failed). Call once per window, like `watchSessions`.
 */
export async function watchJobs(onUpdate: (job: VideoJob) => void): Promise<void> {
  const channel = new Channel<VideoJob>(onUpdate);
  await commands.watchJobs(channel);
}

/**
 * The URL the webview plays a file on this machine from (Tauri's asset protocol). The shell
 * scopes that protocol to the media folder and allows it in the CSP's `media-src` only, so only
 * the studio's own videos load this way.
 */
export function convertFileSrc(path: string): string {
  return tauriFileSrc(path);
}

/**
 * A `blob:` URL of a file in the media folder, for `<video>`. WebKitGTK hands a media element's
 * URL to GStreamer, which cannot read Tauri's custom `asset:` scheme (tauri-apps/tauri#3725,
 * WebKit bug 146351); WebKit's own loader can, so the file is read through `fetch` and played
 * from memory. Seedance clips are 4–15 s, a few MB. The caller revokes the URL when done.
 */
export async function localVideoUrl(path: string): Promise<string> {
  const response = await fetch(tauriFileSrc(path));
  if (!response.ok) {
    throw new Error(`The video file could not be read (${response.status}).`);
  }
  return URL.createObjectURL(await response.blob());
}

/** How far the backend has got downloading a photo: the `photo-progress` event of `check_photo`. */
export interface PhotoProgress {
  url: string;
  receivedBytes: number;
  totalBytes: number | null;
}

/** Hears every photo download's progress until the returned function is called. */
export async function onPhotoProgress(handler: (progress: PhotoProgress) => void): Promise<() => void> {
  return listen<PhotoProgress>("photo-progress", (event) => {
    handler(event.payload);
  });
}

/**
 * Files dropped on the window from the desktop: Tauri takes the drop (the page never sees the
 * files) and hands their paths with where the drop landed, in CSS pixels. Until the returned
 * function is called.
 */
export async function onFileDrop(handler: (paths: string[], x: number, y: number) => void): Promise<() => void> {
  return getCurrentWebview().onDragDropEvent((event) => {
    if (event.payload.type === "drop") {
      const ratio = window.devicePixelRatio || 1;
      handler(event.payload.paths, event.payload.position.x / ratio, event.payload.position.y / ratio);
    }
  });
}

/** A pasted, dropped or captured image as a `data:` URL, for `commands.keepPhoto`. */
export function readAsDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      resolve(typeof reader.result === "string" ? reader.result : "");
    };
    reader.onerror = () => {
      reject(new Error("The image could not be read."));
    };
    reader.readAsDataURL(blob);
  });
}

/** The label of the talent's window (the shell opens it for "Show to talent"). */
export const TALENT_WINDOW = "talent";

/** This window's label: `main` for the operator, `talent` for the screen facing the talent. */
export function windowLabel(): string {
  try {
    return getCurrentWebviewWindow().label;
  } catch {
    return "main";
  }
}

/** Subscribes to the talent's screen: every change to the session it shows. */
export async function watchTalent(onUpdate: (view: TalentView) => void): Promise<void> {
  const channel = new Channel<TalentView>(onUpdate);
  await commands.watchTalent(channel);
}
