import { describe, expect, it } from "vitest";
import type { StageInfo } from "../ipc";
import {
  BASE_RPC_MESSAGE,
  DEFAULT_BASE_RPC_URL,
  apiKeyWarning,
  CAP_MESSAGE,
  formFromSettings,
  apiKeyPlaceholder,
  CALLBACK_PORT_MESSAGE,
  CRUN_LANGUAGES,
  isDollarAmount,
  isKeyOnly,
  offersPhoneLanguage,
  offersRedirectPage,
  isRemote,
  isSettingsField,
  keyStatus,
  keyStatusText,
  keyToSaveFirst,
  MAX_OPERATOR_CHARS,
  operatorNameProblem,
  parseSettingsForm,
  phoneAddress,
  portMovedNote,
  PROVIDER_CHOICES,
  REDIRECT_MESSAGE,
  playsKeyOnly,
  settingsErrorField,
  showsLanCallback,
  type SettingsForm,
} from "./settings-form";

const form = (overrides: Partial<SettingsForm> = {}): SettingsForm => ({
  provider: "rehearsal",
  rehearsalHost: "",
  rehearsalPort: "8402",
  baseUrl: "",
  paymentMethod: "wallet",
  rehearsalX402Version: 2,
  perPaymentCapUsd: "2",
  dailyCapUsd: "20",
  rehearsalPersonality: "blockrun",
  rehearsalJarvisclawShape: "live",
  jarvisclawRedirectUrl: "",
  crunLanguage: "en",
  lanCallback: true,
  callbackPort: "8403",
  operatorName: "",
  photoHosting: { endpoint: "", region: "", bucket: "", prefix: "" },
  studioDatabase: null,
  baseRpcUrl: "https://mainnet.base.org",
  ...overrides,
});

const PAY = {
  paymentMethod: "wallet",
  rehearsalX402Version: 2,
  perPaymentCapUsd: "2",
  dailyCapUsd: "20",
  rehearsalPersonality: "blockrun",
  rehearsalJarvisclawShape: "live",
  jarvisclawRedirectUrl: null,
  crunLanguage: "en",
  lanCallback: true,
  callbackPort: 8403,
  operatorName: "",
  photoHosting: { endpoint: "", region: "", bucket: "", prefix: "" },
  studioDatabase: null,
  baseRpcUrl: "https://mainnet.base.org",
} as const;

describe("formFromSettings", () => {
  it("shows unset addresses as empty fields", () => {
    expect(formFromSettings({ provider: "rehearsal", rehearsalHost: null, rehearsalPort: 8402, baseUrl: null, ...PAY })).toEqual(form());
  });

  it("shows what is set", () => {
    expect(
      formFromSettings({ provider: "rehearsal", rehearsalHost: "10.0.0.5", rehearsalPort: 9000, baseUrl: "http://10.0.0.2:8402/", ...PAY }),
    ).toEqual(form({ rehearsalHost: "10.0.0.5", rehearsalPort: "9000", baseUrl: "http://10.0.0.2:8402/" }));
  });

  it("round-trips through the parser unchanged", () => {
    const settings = { provider: "rehearsal" as const, rehearsalHost: "10.0.0.5", rehearsalPort: 9000, baseUrl: null, ...PAY };
    expect(parseSettingsForm(formFromSettings(settings))).toEqual({ ok: true, value: settings });
  });
});

describe("parseSettingsForm", () => {
  it("turns empty optional fields into null", () => {
    expect(parseSettingsForm(form({ rehearsalHost: "  " }))).toEqual({
      ok: true,
      value: { provider: "rehearsal", rehearsalHost: null, rehearsalPort: 8402, baseUrl: null, ...PAY },
    });
  });

  it("keeps a trimmed host and base URL", () => {
    const parsed = parseSettingsForm(form({ rehearsalHost: " 192.168.1.20 ", baseUrl: " http://10.0.0.2:8402/ " }));
    expect(parsed).toMatchObject({ ok: true, value: { rehearsalHost: "192.168.1.20", baseUrl: "http://10.0.0.2:8402/" } });
  });

  it("refuses a host with a scheme, path, port or space", () => {
    for (const host of ["http://1.2.3.4", "1.2.3.4:8402", "my host", "a/b"]) {
      expect(parseSettingsForm(form({ rehearsalHost: host }))).toMatchObject({ ok: false, errors: { rehearsal_host: expect.any(String) as string } });
    }
  });

  it("accepts ports 1024–65535 only", () => {
    for (const port of ["1024", "8402", "65535"]) {
      expect(parseSettingsForm(form({ rehearsalPort: port })).ok).toBe(true);
    }
    for (const port of ["0", "80", "1023", "65536", "", "84o2", "8402.5", "-1"]) {
      expect(parseSettingsForm(form({ rehearsalPort: port }))).toEqual({
        ok: false,
        errors: { rehearsal_port: "Pick a port between 1024 and 65535." },
      });
    }
  });

  it("refuses a base URL that is not http(s)", () => {
    expect(parseSettingsForm(form({ baseUrl: "ftp://x" }))).toMatchObject({ ok: false, errors: { base_url: expect.stringContaining("http://") as string } });
    expect(parseSettingsForm(form({ baseUrl: "not a url" }))).toMatchObject({ ok: false, errors: { base_url: expect.stringContaining("full link") as string } });
  });

  it("takes the Base node over https only, and an empty one back to Base's public node", () => {
    expect(parseSettingsForm(form({ baseRpcUrl: "http://mainnet.base.org" }))).toMatchObject({ ok: false, errors: { base_rpc_url: BASE_RPC_MESSAGE } });
    expect(parseSettingsForm(form({ baseRpcUrl: "  " }))).toMatchObject({ ok: true, value: { baseRpcUrl: DEFAULT_BASE_RPC_URL } });
    expect(parseSettingsForm(form({ baseRpcUrl: " https://base.node.studio.example/rpc " }))).toMatchObject({
      ok: true,
      value: { baseRpcUrl: "https://base.node.studio.example/rpc" },
    });
  });
});

const stage = (overrides: Partial<StageInfo> = {}): StageInfo => ({
  provider: "rehearsal",
  baseUrl: "http://127.0.0.1:8402/",
  phoneHost: "192.168.1.20",
  phoneReach: null,
  rehearsalPort: 8402,
  hasApiKey: true,
  paymentMethod: "wallet",
  wallet: null,
  rehearsalPersonality: "blockrun",
  ...overrides,
});

describe("phoneAddress", () => {
  it("uses the port Rehearsal actually listens on, not the one in the base URL", () => {
    expect(phoneAddress(stage())).toBe("http://192.168.1.20:8402");
    expect(phoneAddress(stage({ rehearsalPort: 40123 }))).toBe("http://192.168.1.20:40123");
    expect(phoneAddress(stage({ baseUrl: "http://rehearsal.local/", rehearsalPort: 9000 }))).toBe("http://192.168.1.20:9000");
  });

  it("brackets an IPv6 phone address", () => {
    expect(phoneAddress(stage({ phoneHost: "fe80::1" }))).toBe("http://[fe80::1]:8402");
  });

  it("is null when Rehearsal does not run in this app", () => {
    expect(phoneAddress(stage({ phoneHost: null }))).toBeNull();
    expect(phoneAddress(stage({ rehearsalPort: null }))).toBeNull();
  });
});

describe("portMovedNote", () => {
  const settings = { provider: "rehearsal" as const, rehearsalHost: null, rehearsalPort: 8402, baseUrl: null, ...PAY };

  it("says nothing when Rehearsal listens on the port that was set", () => {
    expect(portMovedNote(stage(), settings)).toBeNull();
  });

  it("says which port Rehearsal moved to", () => {
    expect(portMovedNote(stage({ rehearsalPort: 40123 }), settings)).toBe(
      "Port 8402 was busy, so Rehearsal listens on 40123 for now.",
    );
  });

  it("says nothing when Rehearsal does not run in this app", () => {
    expect(portMovedNote(stage({ rehearsalPort: null }), settings)).toBeNull();
    expect(portMovedNote(stage({ phoneHost: null, rehearsalPort: 40123 }), settings)).toBeNull();
  });
});

describe("payment settings", () => {
  it("reads dollar amounts the way the backend does", () => {
    for (const ok of ["2", "2.50", "0.01", "20", "$2", " 3.141592 ", ".5", "2.", "0"]) {
      expect(isDollarAmount(ok)).toBe(true);
    }
    for (const bad of ["", " ", "$", ".", "2.1234567", "-1", "1e3", "2,50", "two", "$ 2", "+2", "0x10", "2.5.0"]) {
      expect(isDollarAmount(bad)).toBe(false);
    }
  });

  it("puts a cap message by the field that is wrong", () => {
    expect(parseSettingsForm(form({ perPaymentCapUsd: "2.1234567" }))).toEqual({ ok: false, errors: { per_payment_cap_usd: CAP_MESSAGE } });
    expect(parseSettingsForm(form({ dailyCapUsd: "lots" }))).toEqual({ ok: false, errors: { daily_cap_usd: CAP_MESSAGE } });
  });

  it("sends the caps trimmed, with the method and x402 version", () => {
    expect(parseSettingsForm(form({ perPaymentCapUsd: " 0.50 ", dailyCapUsd: "$5", paymentMethod: "api_key", rehearsalX402Version: 1 }))).toMatchObject({
      ok: true,
      value: { perPaymentCapUsd: "0.50", dailyCapUsd: "$5", paymentMethod: "api_key", rehearsalX402Version: 1 },
    });
  });

  it("fills empty caps with the defaults", () => {
    const f = formFromSettings({ provider: "rehearsal", rehearsalHost: null, rehearsalPort: 8402, baseUrl: null, ...PAY, perPaymentCapUsd: "", dailyCapUsd: " " });
    expect(f.perPaymentCapUsd).toBe("2");
    expect(f.dailyCapUsd).toBe("20");
  });

  it("knows the backend's field names", () => {
    expect(isSettingsField("per_payment_cap_usd")).toBe(true);
    expect(isSettingsField("daily_cap_usd")).toBe(true);
    expect(isSettingsField("per_payment_cap")).toBe(false);
    expect(isSettingsField(null)).toBe(false);
  });
});

describe("providers", () => {
  it("offers Rehearsal, BlockRun, JarvisClaw, Anyfast and Crun, each with a line of explanation", () => {
    expect(PROVIDER_CHOICES.map((c) => c.value)).toEqual(["rehearsal", "blockrun", "jarvisclaw", "anyfast", "crun"]);
    for (const c of PROVIDER_CHOICES) {
      expect(c.line.length).toBeGreaterThan(20);
    }
    expect(PROVIDER_CHOICES[0]?.line).toContain("Nobody pays");
    expect(isRemote("rehearsal")).toBe(false);
    expect(isRemote("blockrun")).toBe(true);
  });

  it("maps every new setting both ways", () => {
    const settings = {
      provider: "rehearsal" as const,
      rehearsalHost: null,
      rehearsalPort: 8402,
      baseUrl: null,
      ...PAY,
      rehearsalPersonality: "jarvisclaw" as const,
      rehearsalJarvisclawShape: "seed" as const,
      jarvisclawRedirectUrl: "https://studio.example/thanks",
    };
    const f = formFromSettings(settings);
    expect(f).toMatchObject({ rehearsalPersonality: "jarvisclaw", rehearsalJarvisclawShape: "seed", jarvisclawRedirectUrl: "https://studio.example/thanks" });
    expect(parseSettingsForm(f)).toEqual({ ok: true, value: settings });
  });

  it("sends a real provider with its payment method", () => {
    expect(parseSettingsForm(form({ provider: "jarvisclaw", paymentMethod: "api_key" }))).toMatchObject({
      ok: true,
      value: { provider: "jarvisclaw", paymentMethod: "api_key" },
    });
  });

  it("knows when JarvisClaw is in play, real or rehearsed", () => {
    expect(offersRedirectPage({ provider: "jarvisclaw", rehearsalPersonality: "blockrun" })).toBe(true);
    expect(offersRedirectPage({ provider: "rehearsal", rehearsalPersonality: "jarvisclaw" })).toBe(true);
    expect(offersRedirectPage({ provider: "rehearsal", rehearsalPersonality: "blockrun" })).toBe(false);
    expect(offersRedirectPage({ provider: "blockrun", rehearsalPersonality: "jarvisclaw" })).toBe(false);
  });
});

describe("the page after the phone check", () => {
  it("is optional: empty means none", () => {
    expect(parseSettingsForm(form({ provider: "jarvisclaw", jarvisclawRedirectUrl: "  " }))).toMatchObject({ ok: true, value: { jarvisclawRedirectUrl: null } });
  });

  it("keeps a trimmed https link", () => {
    expect(parseSettingsForm(form({ provider: "jarvisclaw", jarvisclawRedirectUrl: " https://studio.example/done " }))).toMatchObject({
      ok: true,
      value: { jarvisclawRedirectUrl: "https://studio.example/done" },
    });
  });

  it("refuses anything but a full https link where the field shows", () => {
    for (const bad of ["http://studio.example/done", "studio.example/done", "javascript:alert(1)", "https://"]) {
      expect(parseSettingsForm(form({ provider: "jarvisclaw", jarvisclawRedirectUrl: bad }))).toEqual({
        ok: false,
        errors: { jarvisclaw_redirect_url: REDIRECT_MESSAGE },
      });
      expect(parseSettingsForm(form({ rehearsalPersonality: "jarvisclaw", jarvisclawRedirectUrl: bad })).ok).toBe(false);
    }
  });

  it("drops a bad leftover where the field is hidden, instead of blocking the save", () => {
    expect(parseSettingsForm(form({ provider: "blockrun", jarvisclawRedirectUrl: "http://x" }))).toMatchObject({
      ok: true,
      value: { jarvisclawRedirectUrl: null },
    });
    expect(parseSettingsForm(form({ provider: "blockrun", jarvisclawRedirectUrl: "https://studio.example/" }))).toMatchObject({
      ok: true,
      value: { jarvisclawRedirectUrl: "https://studio.example/" },
    });
  });
});

describe("API keys", () => {
  it("warns softly when a key does not look like the provider's", () => {
    expect(apiKeyWarning("blockrun", "brk_live_123")).toBeNull();
    expect(apiKeyWarning("jarvisclaw", " sk-abc ")).toBeNull();
    expect(apiKeyWarning("blockrun", "")).toBeNull();
    expect(apiKeyWarning("blockrun", "sk-abc")).toBe("This looks like a JarvisClaw key (sk-…). BlockRun keys start with brk_.");
    expect(apiKeyWarning("jarvisclaw", "brk_123")).toBe("This looks like a BlockRun key (brk_…). JarvisClaw keys start with sk-.");
    expect(apiKeyWarning("blockrun", "abc123")).toBe("BlockRun keys usually start with brk_. Check you copied the whole key; you can still save it.");
  });

  const running = (overrides: Partial<StageInfo> = {}): StageInfo => stage({ provider: "blockrun", hasApiKey: false, ...overrides });

  it("says a key is saved only from the running provider's stage, or a save just made", () => {
    expect(keyStatus("blockrun", running({ hasApiKey: true }), new Set())).toBe("saved");
    expect(keyStatus("blockrun", running(), new Set())).toBe("none");
    expect(keyStatus("jarvisclaw", running({ hasApiKey: true }), new Set())).toBe("unknown");
    expect(keyStatus("jarvisclaw", running(), new Set(["jarvisclaw"]))).toBe("saved");
    expect(keyStatus("blockrun", null, new Set())).toBe("unknown");
  });

  it("words the key status without ever showing a key", () => {
    expect(keyStatusText("blockrun", "saved")).toBe("A BlockRun key is saved in the system keychain.");
    expect(keyStatusText("jarvisclaw", "none")).toBe("No JarvisClaw key is saved yet.");
    expect(keyStatusText("anyfast", "saved")).toBe("An Anyfast key is saved in the system keychain.");
    expect(keyStatusText("jarvisclaw", "unknown")).toContain("(sk-…)");
  });

  it("saves a pasted key first, for the provider being configured only", () => {
    expect(keyToSaveFirst({ provider: "blockrun" }, " brk_1 ")).toBe("brk_1");
    expect(keyToSaveFirst({ provider: "blockrun" }, "  ")).toBeNull();
    expect(keyToSaveFirst({ provider: "rehearsal" }, "brk_1")).toBeNull();
  });
});

describe("Anyfast and Crun", () => {
  it("are offered as providers, with their one-line explanations", () => {
    const anyfast = PROVIDER_CHOICES.find((c) => c.value === "anyfast");
    const crun = PROVIDER_CHOICES.find((c) => c.value === "crun");
    expect(anyfast?.line).toContain("Byteplus-Direct group");
    expect(crun?.line).toContain("x-api-key");
  });

  it("are paid by key only, whether chosen or played by Rehearsal", () => {
    expect(isKeyOnly("anyfast")).toBe(true);
    expect(isKeyOnly("crun")).toBe(true);
    expect(isKeyOnly("blockrun")).toBe(false);
    expect(playsKeyOnly({ provider: "rehearsal", rehearsalPersonality: "crun" })).toBe(true);
    expect(playsKeyOnly({ provider: "rehearsal", rehearsalPersonality: "blockrun" })).toBe(false);
    expect(playsKeyOnly({ provider: "blockrun", rehearsalPersonality: "anyfast" })).toBe(false);
  });

  it("send the key as their payment method, whatever the hidden select held", () => {
    expect(parseSettingsForm(form({ provider: "anyfast", paymentMethod: "wallet" }))).toMatchObject({
      ok: true,
      value: { provider: "anyfast", paymentMethod: "api_key" },
    });
    // Rehearsal keeps the operator's choice for when it plays a wallet-paid API again.
    expect(parseSettingsForm(form({ rehearsalPersonality: "anyfast", paymentMethod: "wallet" }))).toMatchObject({
      ok: true,
      value: { paymentMethod: "wallet" },
    });
  });

  it("do not block a save on spending caps they hide", () => {
    expect(parseSettingsForm(form({ provider: "crun", perPaymentCapUsd: "-1", dailyCapUsd: "x" }))).toMatchObject({
      ok: true,
      value: { perPaymentCapUsd: "2", dailyCapUsd: "20" },
    });
    expect(parseSettingsForm(form({ provider: "blockrun", perPaymentCapUsd: "-1" })).ok).toBe(false);
  });

  it("have no documented key shape: a plain placeholder and no warnings", () => {
    expect(apiKeyPlaceholder("anyfast")).toBe("Paste the key");
    expect(apiKeyPlaceholder("blockrun")).toBe("brk_…");
    expect(apiKeyWarning("anyfast", "sk-anything")).toBeNull();
    expect(apiKeyWarning("crun", "brk_123")).toBeNull();
    expect(keyStatusText("crun", "unknown")).toBe("Paste the Crun key to save it before switching. A key saved earlier stays in the keychain.");
  });

  it("shows Crun's phone page language where Crun is in play, and maps it both ways", () => {
    expect(offersPhoneLanguage({ provider: "crun", rehearsalPersonality: "blockrun" })).toBe(true);
    expect(offersPhoneLanguage({ provider: "rehearsal", rehearsalPersonality: "crun" })).toBe(true);
    expect(offersPhoneLanguage({ provider: "anyfast", rehearsalPersonality: "crun" })).toBe(false);
    expect(CRUN_LANGUAGES.map((l) => l.value)).toEqual(["en", "zh", "zh-Hant"]);
    const settings = { provider: "crun" as const, rehearsalHost: null, rehearsalPort: 8402, baseUrl: null, ...PAY, paymentMethod: "api_key" as const, crunLanguage: "zh-Hant" };
    expect(formFromSettings(settings).crunLanguage).toBe("zh-Hant");
    expect(parseSettingsForm(formFromSettings(settings))).toEqual({ ok: true, value: settings });
    // A language this window does not know reads as English, Crun's studio default here.
    expect(formFromSettings({ ...settings, crunLanguage: "fr" }).crunLanguage).toBe("en");
  });

  it("show the phone's return page for BytePlus providers and Rehearsal only", () => {
    expect(showsLanCallback({ provider: "anyfast" })).toBe(true);
    expect(showsLanCallback({ provider: "crun" })).toBe(true);
    expect(showsLanCallback({ provider: "rehearsal" })).toBe(true);
    expect(showsLanCallback({ provider: "blockrun" })).toBe(false);
    expect(showsLanCallback({ provider: "jarvisclaw" })).toBe(false);
  });

  it("check the return page's port like the backend: a free port, not Rehearsal's", () => {
    expect(parseSettingsForm(form({ provider: "anyfast", lanCallback: false, callbackPort: " 9000 " }))).toMatchObject({
      ok: true,
      value: { lanCallback: false, callbackPort: 9000 },
    });
    for (const bad of ["80", "70000", "", "84o3", "8402"]) {
      expect(parseSettingsForm(form({ provider: "crun", callbackPort: bad }))).toEqual({ ok: false, errors: { callback_port: CALLBACK_PORT_MESSAGE } });
    }
    // Hidden for BlockRun: a bad leftover falls back to the default instead of blocking the save.
    expect(parseSettingsForm(form({ provider: "blockrun", callbackPort: "1" }))).toMatchObject({ ok: true, value: { callbackPort: 8403 } });
    expect(parseSettingsForm(form({ provider: "blockrun", rehearsalPort: "8403", callbackPort: "8403" }))).toMatchObject({
      ok: true,
      value: { callbackPort: 8404 },
    });
  });
});

describe("where a refused save is shown", () => {
  it("puts a provider that cannot start yet next to the provider", () => {
    expect(settingsErrorField({ code: "not_configured", message: "BlockRun is not set up yet: add its API key (brk_…) in Settings, or pay with the studio wallet", field: null })).toBe("provider");
  });

  it("puts a named field next to that field, anything else in the banner", () => {
    expect(settingsErrorField({ code: "invalid_input", message: "x", field: "jarvisclaw_redirect_url" })).toBe("jarvisclaw_redirect_url");
    expect(settingsErrorField({ code: "invalid_input", message: "x", field: "base_url" })).toBe("base_url");
    expect(settingsErrorField({ code: "invalid_input", message: "x", field: "crun_language" })).toBe("crun_language");
    expect(settingsErrorField({ code: "invalid_input", message: "x", field: "callback_port" })).toBe("callback_port");
    expect(settingsErrorField({ code: "invalid_input", message: "x", field: "operator_name" })).toBe("operator_name");
    expect(settingsErrorField({ code: "invalid_input", message: "x", field: "settings" })).toBeNull();
    expect(settingsErrorField({ code: "storage", message: "x", field: null })).toBeNull();
  });
});

describe("the operator's name", () => {
  it("is optional, trimmed, and saved with the other settings", () => {
    expect(parseSettingsForm(form({ operatorName: "" }))).toMatchObject({ ok: true, value: { operatorName: "" } });
    expect(parseSettingsForm(form({ operatorName: "  Grace Hopper  " }))).toMatchObject({ ok: true, value: { operatorName: "Grace Hopper" } });
    expect(formFromSettings({ provider: "rehearsal", rehearsalHost: null, rehearsalPort: 8402, baseUrl: null, ...PAY, operatorName: "Grace" }).operatorName).toBe(
      "Grace",
    );
  });

  it("takes at most 80 characters, counted as characters, like the backend", () => {
    expect(MAX_OPERATOR_CHARS).toBe(80);
    expect(operatorNameProblem("é".repeat(80))).toBeNull();
    expect(operatorNameProblem(` ${"x".repeat(80)} `)).toBeNull();
    expect(operatorNameProblem("x".repeat(81))).toBe("The operator's name is 81 characters; keep it to 80 or fewer.");
    expect(parseSettingsForm(form({ operatorName: "x".repeat(81) }))).toEqual({
      ok: false,
      errors: { operator_name: "The operator's name is 81 characters; keep it to 80 or fewer." },
    });
  });

  it("stays on one line", () => {
    expect(operatorNameProblem("Grace\nHopper")).toBe("Type the operator's name on one line, without tabs or line breaks.");
    expect(operatorNameProblem("a\tb")).not.toBeNull();
    expect(operatorNameProblem("Zoë Ångström")).toBeNull();
  });
});
