// The QR arrives as a complete SVG document rendered by our own backend (src/qr.rs). In HTML it
// is inserted as markup, so the XML prolog is dropped and anything that is not an SVG is refused.

export function qrMarkup(svg: string | null): string | null {
  if (svg === null) {
    return null;
  }
  const markup = svg.replace(/^\s*<\?xml[^>]*\?>\s*/i, "").trim();
  return /^<svg[\s>]/i.test(markup) && /<\/svg>$/i.test(markup) ? markup : null;
}
