/** Any origin this site cannot have: only the path of a URL resolved against it is kept. */
const OWN_ORIGIN = 'http://ringfence.invalid';

/** C0 and C1 controls and DEL: browsers drop tabs and newlines, so `/\t/evil` is `//evil` to them. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Where to send someone after signing in: a path on this site, or the home page. Refused: any
 * control character, any backslash (browsers read it as a slash), anything that resolves to
 * another origin or to a protocol-relative `//host`. What is kept is the URL parser's own form,
 * percent-encoded, so text outside Latin-1 can go in a Location header.
 */
export function safeRedirectPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\') || CONTROL_CHARACTER.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, OWN_ORIGIN);
  } catch {
    return '/';
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  return url.origin === OWN_ORIGIN && !path.startsWith('//') ? path : '/';
}
