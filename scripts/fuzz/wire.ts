/**
 * What may stand raw in a request line. Node's client refuses anything outside 0x21–0xff, and a
 * real client percent-encodes the rest; `?` and `#` would end the path. Percent signs stay as
 * they are, so deliberately broken escapes (`%zz`, `%E0%A4%A`) reach the server unchanged.
 */
const RAW_OK = /^[\x21-\x7e]$/;

const percentEncoded = (char: string): string =>
  [...Buffer.from(char, 'utf8')]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');

/** `text` made sendable as part of a request line, everything already sendable left alone. */
export const onTheWire = (text: string, alsoEncode = ''): string =>
  [...text]
    .map((char) => (RAW_OK.test(char) && !alsoEncode.includes(char) ? char : percentEncoded(char)))
    .join('');

/** Every character percent-encoded as a client's URL encoder would (lone surrogates as U+FFFD). */
export const encodedComponent = (text: string): string => onTheWire(text, '!#$&\'()*+,/:;=?@[]%"<>\\^`{|}');
