import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CommandError, PhotoCheck } from "../ipc";
import type { EnrollResult } from "../state/studio.svelte";
import { forgetRetryPhotoForm, isPhotoProblem, retryPhotoForm, RetryPhotoForm } from "./retry-photo.svelte";

const URL_NEW = "https://photos.example/ada-front.jpg";
const URL_OTHER = "https://photos.example/ada-2.jpg";

const MISMATCH: CommandError = {
  code: "face_mismatch",
  message: "The photo does not match the live face. Nothing was charged. Try a clearer, front-facing photo of the same person.",
  field: "image_url",
};

function photo(url: string): PhotoCheck {
  return { url, format: "jpeg", widthPx: 900, heightPx: 1200, sizeBytes: 120_000, sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", thumbnail: "data:image/jpeg;base64,AA==", provider: "BlockRun", checks: [], faces: [] };
}

/** A form whose photo checks answer at once (`refuse` lists links the backend turns down). */
function setup(refuse: Record<string, CommandError> = {}) {
  const checked: string[] = [];
  const form = new RetryPhotoForm(async (url) => {
    checked.push(url);
    await Promise.resolve();
    const refusal = refuse[url];
    if (refusal !== undefined) {
      throw refusal;
    }
    return photo(url);
  }, 600);
  return { form, checked };
}

/** Types a link, lets the typing pause pass and the check answer. */
async function typeAndWait(form: RetryPhotoForm, url: string): Promise<void> {
  form.photo.edit(url);
  await vi.advanceTimersByTimeAsync(600);
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("isPhotoProblem", () => {
  it("is a face mismatch, or any refusal about the photo link", () => {
    expect(isPhotoProblem(MISMATCH)).toBe(true);
    expect(isPhotoProblem({ ...MISMATCH, field: null })).toBe(true);
    expect(isPhotoProblem({ code: "invalid_input", message: "The photo link leads to a 404.", field: "image_url" })).toBe(true);
  });

  it("is not any other failure, or none", () => {
    expect(isPhotoProblem({ code: "network", message: "Could not reach Rehearsal.", field: null })).toBe(false);
    expect(isPhotoProblem({ code: "not_ready", message: "Not finished. Nothing was charged.", field: null })).toBe(false);
    expect(isPhotoProblem({ code: "invalid_input", message: "Already enrolled.", field: "session" })).toBe(false);
    expect(isPhotoProblem(null)).toBe(false);
    expect(isPhotoProblem(undefined)).toBe(false);
  });
});

describe("RetryPhotoForm.offered", () => {
  it("shows after a photo problem, not after other failures", () => {
    const { form } = setup();
    expect(form.offered(MISMATCH)).toBe(true);
    expect(form.offered({ code: "upstream_failed", message: "Rehearsal failed.", field: null })).toBe(false);
    expect(form.offered(null)).toBe(false);
  });

  it("stays once the operator has typed a link, even if a later failure is unrelated", () => {
    const { form } = setup();
    form.photo.edit("https://photos.exa");
    expect(form.offered({ code: "network", message: "Could not reach Rehearsal.", field: null })).toBe(true);
    form.photo.edit("   ");
    expect(form.offered(null)).toBe(false);
  });
});

describe("RetryPhotoForm photo check", () => {
  it("checks the new link once typing pauses, like the new-session form", async () => {
    const { form, checked } = setup();
    form.photo.edit("https://photos.example/ada");
    await vi.advanceTimersByTimeAsync(300);
    form.photo.edit(URL_NEW);
    await vi.advanceTimersByTimeAsync(599);
    expect(checked).toEqual([]);
    expect(form.photo.status).toEqual({ kind: "waiting", url: URL_NEW });
    await vi.advanceTimersByTimeAsync(1);
    expect(checked).toEqual([URL_NEW]);
    expect(form.photo.status).toEqual({ kind: "ok", url: URL_NEW, check: photo(URL_NEW) });
    expect(form.photo.error).toBeNull();
    expect(form.canSubmit(false)).toBe(true);
  });

  it("checks a pasted link at once", async () => {
    const { form, checked } = setup();
    form.photo.paste(URL_NEW);
    expect(checked).toEqual([URL_NEW]);
    await vi.advanceTimersByTimeAsync(0);
    expect(form.photo.value).toBe(URL_NEW);
  });

  it("shows a local problem only once the field is left, and never asks the backend", async () => {
    const { form, checked } = setup();
    form.photo.focus();
    form.photo.edit("http://photos.example/ada.jpg");
    expect(form.photo.error).toBeNull();
    form.photo.leave("http://photos.example/ada.jpg");
    expect(form.photo.error).toContain("https://");
    await vi.advanceTimersByTimeAsync(2_000);
    expect(checked).toEqual([]);
    expect(form.canSubmit(false)).toBe(false);
  });

  it("shows the backend's refusal of the link under the field, and checks again on request", async () => {
    const notFound: CommandError = { code: "invalid_input", message: "The photo link leads to a 'not found' page (404).", field: "image_url" };
    const { form, checked } = setup({ [URL_NEW]: notFound });
    await typeAndWait(form, URL_NEW);
    expect(form.photo.error).toBe(notFound.message);
    expect(form.canSubmit(false)).toBe(false);
    form.photo.recheck();
    expect(checked).toEqual([URL_NEW, URL_NEW]);
  });
});

describe("RetryPhotoForm.submit", () => {
  it("is not available until the new link passed its check, nor while another action runs", async () => {
    const { form } = setup();
    expect(form.canSubmit(false)).toBe(false);
    form.photo.edit(URL_NEW);
    expect(form.canSubmit(false)).toBe(false);
    await vi.advanceTimersByTimeAsync(600);
    expect(form.canSubmit(false)).toBe(true);
    expect(form.canSubmit(true)).toBe(false);
  });

  it("sends nothing for a link that has not passed its check", async () => {
    const { form } = setup();
    form.photo.edit("not a link");
    const enroll = vi.fn<(url: string) => Promise<EnrollResult>>();
    await form.submit(enroll);
    expect(enroll).not.toHaveBeenCalled();
    expect(form.photo.error).toContain("not a web link");
  });

  it("enrolls with exactly the checked link, then clears the form", async () => {
    const { form } = setup();
    await typeAndWait(form, `  ${URL_NEW} `);
    let settle: (outcome: EnrollResult) => void = () => undefined;
    const enroll = vi.fn<(url: string) => Promise<EnrollResult>>(
      () =>
        new Promise((resolve) => {
          settle = resolve;
        }),
    );
    const running = form.submit(enroll);
    expect(enroll).toHaveBeenCalledWith(URL_NEW, false);
    expect(form.submitting).toBe(true);
    expect(form.canSubmit(false)).toBe(false);
    await form.submit(enroll);
    expect(enroll).toHaveBeenCalledTimes(1);
    settle({ ok: true });
    await running;
    expect(form.submitting).toBe(false);
    expect(form.photo.url).toBe("");
    expect(form.photo.status).toEqual({ kind: "empty" });
  });

  it("keeps the link after another mismatch, so the operator sees what was tried", async () => {
    const { form } = setup();
    await typeAndWait(form, URL_NEW);
    await form.submit(() => Promise.resolve({ ok: false, error: MISMATCH }));
    expect(form.photo.url).toBe(URL_NEW);
    expect(form.photo.error).toBeNull();
    expect(form.canSubmit(false)).toBe(true);
    expect(form.offered(MISMATCH)).toBe(true);
  });

  it("puts a refusal of the link itself under the field until the link changes", async () => {
    const { form } = setup();
    await typeAndWait(form, URL_NEW);
    const gone: CommandError = { code: "invalid_input", message: "The photo link leads to a 'not found' page (404).", field: "image_url" };
    await form.submit(() => Promise.resolve({ ok: false, error: gone }));
    expect(form.photo.error).toBe(gone.message);
    expect(form.canSubmit(false)).toBe(false);
    await typeAndWait(form, URL_OTHER);
    expect(form.photo.error).toBeNull();
    expect(form.canSubmit(false)).toBe(true);
  });

  it("leaves the field alone after an unrelated failure or when the enroll was not sent", async () => {
    const { form } = setup();
    await typeAndWait(form, URL_NEW);
    await form.submit(() => Promise.resolve({ ok: false, error: { code: "network", message: "Could not reach Rehearsal.", field: null } }));
    await form.submit(() => Promise.resolve({ ok: false, error: null }));
    expect(form.photo.value).toBe(URL_NEW);
    expect(form.photo.error).toBeNull();
    expect(form.submitting).toBe(false);
  });
});

describe("one retry form per session", () => {
  it("keeps what was typed for a session until it is forgotten", () => {
    const check = (url: string) => Promise.resolve(photo(url));
    const a = retryPhotoForm("ses_a", check);
    a.photo.edit("https://photos.example/typing");
    expect(retryPhotoForm("ses_a", check)).toBe(a);
    expect(retryPhotoForm("ses_b", check)).not.toBe(a);
    forgetRetryPhotoForm("ses_a");
    expect(retryPhotoForm("ses_a", check).photo.url).toBe("");
    forgetRetryPhotoForm("ses_a");
    forgetRetryPhotoForm("ses_b");
  });
});
