// Builders for test data shaped like the backend's.

import type { Face, FaceSummary, LivenessSession, PaymentQuote, SessionView, VideoJob, VideoOptions } from "../ipc";

export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

export function session(overrides: Partial<LivenessSession> = {}): LivenessSession {
  return {
    id: "ses_0001",
    provider: "rehearsal",
    groupId: "grp_1",
    talentName: "Ada Lovelace",
    imageUrl: "https://photos.example/ada.jpg",
    h5Link: "http://192.168.1.20:8402/h5/?accessKeyId=rehearsal&sessionToken=t1&configId=grp_1",
    expiresAtMs: T0 + 120_000,
    linkIssuedAtMs: T0,
    state: "awaiting_scan",
    assetId: null,
    createdAtMs: T0,
    updatedAtMs: T0,
    photoOverride: null,
    livenessToken: null,
    ...overrides,
  };
}

/** A library entry; by default an active `ta_…` face. */
export function face(overrides: Partial<Face> = {}): Face {
  return {
    assetId: "ta_0123456789abcdef0123456789abcdef",
    provider: "rehearsal",
    kind: "real_face",
    name: "Ada Lovelace",
    imageUrl: "https://photos.example/ada.jpg",
    thumbnail: null,
    groupId: "grp_1",
    enrolledAtMs: T0,
    priceUsd: null,
    txHash: null,
    photoOverride: null,
    assetType: "image",
    status: "active",
    statusMessage: null,
    ...overrides,
  };
}

/** A BytePlus asset in Ada's group; by default a photo still processing. */
export function asset(overrides: Partial<Face> = {}): Face {
  return face({
    assetId: "asset-20260702223855-bdv2r",
    provider: "anyfast",
    kind: "asset",
    groupId: "group-20260702221642-5czvq",
    status: "processing",
    ...overrides,
  });
}

/** A library list row; by default an active `ta_…` face with a preview and a consent record. */
export function summary(overrides: Partial<FaceSummary> = {}): FaceSummary {
  return {
    assetId: "ta_0123456789abcdef0123456789abcdef",
    provider: "rehearsal",
    kind: "real_face",
    name: "Ada Lovelace",
    groupId: "grp_1",
    enrolledAtMs: T0,
    assetType: "image",
    status: "active",
    statusMessage: null,
    hasThumbnail: true,
    hasConsent: true,
    consentEndsAtMs: null,
    revokedAtMs: null,
    tags: [],
    ...overrides,
  };
}

/** A list row of a BytePlus asset in Ada's group; by default a photo still processing. */
export function assetSummary(overrides: Partial<FaceSummary> = {}): FaceSummary {
  return summary({
    assetId: "asset-20260702223855-bdv2r",
    provider: "anyfast",
    kind: "asset",
    groupId: "group-20260702221642-5czvq",
    status: "processing",
    ...overrides,
  });
}

export function view(
  overrides: Partial<LivenessSession> = {},
  extra: Partial<Omit<SessionView, "session">> = {},
): SessionView {
  return {
    session: session(overrides),
    qrSvg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"></svg>',
    nextCheckAtMs: null,
    notice: null,
    quote: null,
    payeeChanged: false,
    budget: null,
    asset: null,
    release: null,
    phone: { kind: "not_yet" },
    ...extra,
  };
}

export function quote(overrides: Partial<PaymentQuote> = {}): PaymentQuote {
  return {
    x402Version: "v2",
    network: "base-sepolia",
    networkLabel: "Base Sepolia",
    testnet: true,
    chainId: 84532,
    asset: "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
    payTo: "0x9F8e7D6c5B4a39281706F5e4D3c2B1a098765432",
    amountAtomic: "10000",
    amountUsdc: "0.01",
    maxTimeoutSeconds: 60,
    resource: "http://127.0.0.1:8402/v1/realface/enroll",
    description: "Enroll one verified real face",
    mimeType: "application/json",
    serverMessage: null,
    offered: null,
    ...overrides,
  };
}

/** What the video form may offer: Rehearsal playing BlockRun, paid with the test wallet. */
export function videoOptions(overrides: Partial<VideoOptions> = {}): VideoOptions {
  return {
    provider: "rehearsal",
    api: "blockrun",
    billing: "wallet",
    models: [
      {
        id: "bytedance/seedance-2.0",
        label: "Seedance 2.0",
        tier: "seedance-2.0",
        resolutions: ["480p", "720p", "1080p"],
        defaultResolution: "720p",
        note: null,
        maxReferenceVideos: 0,
        maxReferenceAudios: 0,
        clipsNote: null,
      },
      {
        id: "bytedance/seedance-2.0-fast",
        label: "Seedance 2.0 fast",
        tier: "seedance-2.0-fast",
        resolutions: ["480p", "720p"],
        defaultResolution: "720p",
        note: null,
        maxReferenceVideos: 0,
        maxReferenceAudios: 0,
        clipsNote: null,
      },
    ],
    defaultModel: "bytedance/seedance-2.0-fast",
    durations: [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    defaultDuration: 5,
    ratios: ["adaptive", "16:9", "9:16", "1:1", "4:3", "3:4", "21:9"],
    defaultRatio: "16:9",
    maxPromptChars: 5000,
    faces: [summary()],
    clips: [],
    ...overrides,
  };
}

/** A video job; by default queued at the provider, paid from the wallet, not yet charged. */
export function job(overrides: Partial<VideoJob> = {}): VideoJob {
  return {
    id: "vid_0123456789abcdef",
    provider: "rehearsal",
    faceAssetId: "ta_0123456789abcdef0123456789abcdef",
    model: "bytedance/seedance-2.0-fast",
    prompt: "She smiles and waves at the camera in soft studio light",
    durationSeconds: 5,
    resolution: "720p",
    aspectRatio: "16:9",
    referenceVideos: [],
    referenceAudios: [],
    state: "queued",
    remoteId: "task_1",
    pollUrl: null,
    priceUsd: "0.79",
    paymentId: "pay_1",
    charged: null,
    resultUrl: null,
    localPath: null,
    error: null,
    createdAtMs: T0,
    submittedAtMs: T0 + 2_000,
    completedAtMs: null,
    updatedAtMs: T0 + 2_000,
    operator: "",
    billing: "wallet",
    quote: null,
    payeeChanged: false,
    faceName: "Ada Lovelace",
    progress: null,
    nextCheckAtMs: null,
    elapsedMs: 0,
    chargeNote: "Nothing is charged until the video is delivered; a failed video costs nothing.",
    notice: null,
    ...overrides,
  };
}

/** What the backend rejects with: a plain `{code, message, field}`, as Tauri passes it on. */
export function refused(error: unknown): Promise<never> {
  return Promise.resolve().then(() => {
    throw error;
  });
}
