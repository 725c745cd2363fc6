// Settings → Photo hosting: the bucket form as typed, checked before it is saved, and the
// Check's findings as lines to show. Pure, so both are tested without the backend.

import type { HostingCheck, S3Settings } from "../ipc";

export interface HostingForm {
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  /** Empty keeps the key already in the keyring. */
  accessKeyId: string;
  secretAccessKey: string;
}

export function hostingForm(s: S3Settings): HostingForm {
  return {
    endpoint: s.endpoint ?? "",
    region: s.region ?? "",
    bucket: s.bucket ?? "",
    prefix: s.prefix ?? "likeness/",
    accessKeyId: "",
    secretAccessKey: "",
  };
}

/** The settings to save, or what to fix first (checked again by the backend). */
export function parseHostingForm(form: HostingForm): { ok: true; value: S3Settings } | { ok: false; message: string } {
  const endpoint = form.endpoint.trim();
  if (endpoint !== "" && !/^https?:\/\/[^/\s]+/i.test(endpoint)) {
    return { ok: false, message: "The endpoint must be a web address such as https://s3.example.com (or empty for AWS itself)." };
  }
  const bucket = form.bucket.trim();
  const keyed = form.accessKeyId.trim() !== "" || form.secretAccessKey.trim() !== "";
  if (bucket === "" && keyed) {
    return { ok: false, message: "Name the bucket the keys are for." };
  }
  if (form.accessKeyId.trim() !== "" && form.secretAccessKey.trim() === "") {
    return { ok: false, message: "Paste the secret that goes with the access key id." };
  }
  return {
    ok: true,
    value: { endpoint, region: form.region.trim(), bucket, prefix: form.prefix.trim() },
  };
}

/** The Check's findings, one line each, in the order a photo meets them. */
export function hostingCheckLines(c: HostingCheck): { id: string; ok: boolean; text: string }[] {
  const minutes = Math.round(c.linkSeconds / 60);
  return [
    { id: "uploaded", ok: c.uploaded, text: c.uploaded ? "A test photo went in under a random name." : "The test photo did not go in." },
    {
      id: "link",
      ok: c.linkServed,
      text: c.linkServed
        ? `Its presigned link served it back, as a provider fetches it (links last ${minutes} min).`
        : "Its presigned link did not serve it back.",
    },
    {
      id: "private",
      ok: c.private,
      text: c.private
        ? "The bucket refused the plain address: it is private."
        : "The bucket served the photo without a signature: make it private before hosting talent photos.",
    },
    { id: "deleted", ok: c.deleted, text: c.deleted ? "The test photo was deleted." : "The test photo is still served after deletion." },
  ];
}
