// Saving a text the window holds (a consent receipt) as a file: a Blob URL on a link with the
// `download` attribute, so nothing is fetched and no new window opens. The URL is revoked once
// the download has been handed over.

export function saveTextFile(fileName: string, text: string, type = "text/html"): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.rel = "noopener";
  link.className = "visually-hidden";
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    // Later, not now: the download reads the URL after this click has returned.
    setTimeout(() => {
      URL.revokeObjectURL(url);
    }, 60_000);
  }
}
