import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from "vitest";
import type { CommandError, PhotoCheck, PortraitOutcome, PortraitQuote } from "../ipc";
import { face, quote } from "../testing/views";
import { PortraitForm, type PortraitApi } from "./portrait-form.svelte";

const URL_OK = "https://photos.example/robo.jpg";

function photo(url: string): PhotoCheck {
  return {
    url,
    format: "jpeg",
    widthPx: 600,
    heightPx: 800,
    sizeBytes: 52_000,
    sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    thumbnail: "data:image/jpeg;base64,AA==",
    provider: "BlockRun",
    checks: [{ id: "format", verdict: "pass", label: "Format", message: "JPEG", overridable: false }],
    faces: [],
  };
}

function shown(overrides: Partial<PortraitQuote> = {}): PortraitQuote {
  return {
    id: "ptq_1",
    name: "Robo Host",
    imageUrl: URL_OK,
    provider: "rehearsal",
    quote: quote({ amountAtomic: "500000", amountUsdc: "0.5" }),
    payeeChanged: false,
    buys: "Enrolls “Robo Host” at Rehearsal as a virtual portrait (AI character — no liveness).",
    notice: null,
    ...overrides,
  };
}

/** The backend's refusal as a command throws it: `{code, message, field}`, not an `Error`. */
function refuse(error: CommandError): () => Promise<never> {
  return () => {
    throw error;
  };
}

interface Fake {
  api: PortraitApi;
  quotePortrait: Mock<PortraitApi["quotePortrait"]>;
  confirmPortrait: Mock<PortraitApi["confirmPortrait"]>;
  declinePortrait: Mock<PortraitApi["declinePortrait"]>;
}

function fake(confirm: () => Promise<PortraitOutcome>): Fake {
  const quotePortrait = vi.fn<PortraitApi["quotePortrait"]>(() => Promise.resolve(shown()));
  const confirmPortrait = vi.fn<PortraitApi["confirmPortrait"]>(confirm);
  const declinePortrait = vi.fn<PortraitApi["declinePortrait"]>(() => Promise.resolve(null));
  const api: PortraitApi = {
    checkPhoto: (url: string) => Promise.resolve(photo(url)),
    quotePortrait,
    confirmPortrait,
    declinePortrait,
  };
  return { api, quotePortrait, confirmPortrait, declinePortrait };
}

async function filled(api: PortraitApi): Promise<PortraitForm> {
  const form = new PortraitForm(api, 10);
  form.editName("  Robo Host ");
  form.photo.paste(URL_OK);
  await vi.runAllTimersAsync();
  return form;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("PortraitForm", () => {
  it("asks the price only once the name and the image check are good", async () => {
    const f = fake(() => Promise.resolve({ outcome: "enrolled", face: face() }));
    const form = new PortraitForm(f.api, 10);
    expect(form.canQuote).toBe(false);
    await form.getPrice();
    expect(f.quotePortrait).not.toHaveBeenCalled();
    expect(form.nameError).not.toBeNull();

    form.editName("Robo Host");
    form.photo.paste(URL_OK);
    await vi.runAllTimersAsync();
    expect(form.canQuote).toBe(true);
    await form.getPrice();
    expect(f.quotePortrait).toHaveBeenCalledWith("Robo Host", URL_OK, false);
    expect(form.quote?.quote?.amountUsdc).toBe("0.5");
    expect(f.confirmPortrait).not.toHaveBeenCalled();
    expect(form.canQuote).toBe(false);
  });

  it("pays the shown quote and ends with the filed face", async () => {
    const robo = face({ assetId: "ta_robo", kind: "portrait", name: "Robo Host" });
    const f = fake(() => Promise.resolve({ outcome: "enrolled", face: robo }));
    const form = await filled(f.api);
    await form.getPrice();
    await form.pay(false);
    expect(f.confirmPortrait).toHaveBeenCalledWith("ptq_1", false);
    expect(form.face?.assetId).toBe("ta_robo");
    expect(form.quote).toBeNull();
    expect(form.busy).toBeNull();

    form.reset();
    expect(form.face).toBeNull();
    expect(form.name).toBe("");
  });

  it("shows the new price with its words when the provider's price changed", async () => {
    const renewed = shown({ id: "ptq_2", quote: quote({ amountAtomic: "750000", amountUsdc: "0.75" }), notice: "Rehearsal now asks for $0.75 USDC …" });
    const f = fake(() => Promise.resolve({ outcome: "price_changed", quote: renewed }));
    const form = await filled(f.api);
    await form.getPrice();
    await form.pay(false);
    expect(form.face).toBeNull();
    expect(form.quote?.id).toBe("ptq_2");
    expect(form.quote?.notice).toContain("$0.75");
  });

  it("keeps the backend's words on a refusal, and drops a quote the backend no longer holds", async () => {
    const f = fake(refuse({ code: "invalid_input", field: "quote", message: "The price shown for this portrait is no longer held. Get the price again; nothing was signed." }));
    const form = await filled(f.api);
    await form.getPrice();
    await form.pay(false);
    expect(form.error?.message).toContain("nothing was signed");
    expect(form.quote).toBeNull();
    expect(form.canQuote).toBe(true);
  });

  it("keeps the quote for a second try when the new payee needs its tick", async () => {
    const f = fake(refuse({ code: "confirmation_needed", field: "payee", message: "This payment goes to 0x…, not to the address Rehearsal was paid before." }));
    const form = await filled(f.api);
    await form.getPrice();
    await form.pay(false);
    expect(form.error?.code).toBe("confirmation_needed");
    expect(form.quote?.id).toBe("ptq_1");
  });

  it("declines: the backend forgets the price and the form can ask again", async () => {
    const f = fake(() => Promise.resolve({ outcome: "enrolled", face: face() }));
    const form = await filled(f.api);
    await form.getPrice();
    await form.decline();
    expect(f.declinePortrait).toHaveBeenCalledWith("ptq_1");
    expect(f.confirmPortrait).not.toHaveBeenCalled();
    expect(form.quote).toBeNull();
    expect(form.canQuote).toBe(true);
  });

  it("puts a refused image next to the image field", async () => {
    const f = fake(() => Promise.resolve({ outcome: "enrolled", face: face() }));
    f.quotePortrait.mockImplementation(refuse({ code: "invalid_input", field: "image_url", message: "Two faces in the image." }));
    const form = await filled(f.api);
    await form.getPrice();
    expect(form.error).toBeNull();
    expect(form.photo.error).toContain("Two faces");
  });
});
