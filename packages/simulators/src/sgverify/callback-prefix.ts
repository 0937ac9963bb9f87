/**
 * Whether a QR's callback lies under one the partner registered. A bare `startsWith` would let
 * `https://kiosk.example/cb` admit `https://kiosk.example/cb.evil.example/…`, or
 * `https://kiosk.example` admit `https://kiosk.example@evil.example/`, so the callback must equal
 * the prefix or continue it at a path or query boundary. It must still do so once parsed the way
 * the request will be sent, or a `/../` could climb out of the registered path.
 */
const endsAtBoundary = (prefix: string): boolean => /[/?&]$/.test(prefix);

const continuesAtBoundary = (url: string, prefix: string): boolean => {
  if (!url.startsWith(prefix)) return false;
  const next = url.charAt(prefix.length);
  // `&` continues a query only; after a path it would just be part of another path segment.
  return (
    next === '' ||
    endsAtBoundary(prefix) ||
    next === '/' ||
    next === '?' ||
    (next === '&' && prefix.includes('?'))
  );
};

export const isUnderAllowedPrefix = (callback: string, prefixes: readonly string[]): boolean => {
  let parsed: URL;
  try {
    parsed = new URL(callback);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  if (parsed.username || parsed.password || parsed.hash) return false;
  return prefixes.some(
    (prefix) => continuesAtBoundary(callback, prefix) && continuesAtBoundary(parsed.href, prefix),
  );
};
