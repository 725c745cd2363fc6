// The QR arrives as one bare SVG element rendered by our own backend (src/qr.rs). In HTML it is
// inserted as markup, so anything that is not exactly one SVG element is refused.

export function qrMarkup(svg: string | null): string | null {
  if (svg === null) {
    return null;
  }
  const markup = svg.trim();
  const single = /^<svg[\s>]/i.test(markup) && /<\/svg>$/i.test(markup) && markup.match(/<\/svg>/gi)?.length === 1;
  return single ? markup : null;
}
