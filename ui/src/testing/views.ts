// Builders for test data shaped like the backend's.

import type { Face, LivenessSession, PaymentQuote, SessionView } from "../ipc";

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
