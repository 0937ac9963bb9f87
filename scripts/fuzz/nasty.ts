import type { Random } from './random.ts';

/**
 * Hostile values the cases are made of. Each list is one kind of trouble, so a finding's request
 * reads as what was tried.
 */

/** Names Object.prototype answers to: a map read carelessly finds these without anyone sending them. */
export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'isPrototypeOf',
  'toJSON',
  'then',
] as const;

/** Text that trips decoders, loggers, regexes and terminals. */
export const NASTY_TEXT = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\t\t',
  'é',
  'ﬀ',
  '😀',
  '\ud83d',
  '\u202e\u2066override',
  'Ω≈ç√∫',
  '中文',
  '\u00a0',
  '\ufeffBOM',
  '%',
  '%00',
  '%zz',
  '%E0%A4%A',
  '\\',
  '"',
  "'",
  '<script>alert(1)</script>',
  '$\x7b7*7}',
  '{{7*7}}',
  '../../etc/passwd',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e999',
  '9007199254740993',
  'true',
  '[]',
  '{}',
  'S9812381D',
  'T1234567J',
  'spk_',
  'Basic',
  ...PROTOTYPE_NAMES,
] as const;

export const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const HEX = '0123456789abcdef';
/** What an HTTP header value may hold on the wire (Node refuses others; so would API Gateway's front). */
const HEADER_SAFE = /[^\t\x20-\x7e\x80-\xff]/g;

/** An opaque value of the shape upstreams issue: a code or state that is wrong but looks right. */
export const opaqueLike = (random: Random): string => random.text(random.between(8, 64), BASE64URL);

export const uuidLike = (random: Random): string =>
  [8, 4, 4, 4, 12].map((length) => random.text(length, HEX)).join('-');

export const nastyText = (random: Random): string => random.pick(NASTY_TEXT);

/** A long run of one kind of character: the limits of every length check. */
export const longText = (random: Random, max: number): string =>
  random.pick(['a', 'é', '%', '0', '\u0000', '-']).repeat(random.between(65, max));

/** A value that may travel in a header: UTF-8 sent as bytes, as a client would, and no CR, LF or NUL. */
export const headerSafe = (text: string): string =>
  Buffer.from(text, 'utf8').toString('latin1').replace(HEADER_SAFE, '?');

/** Any hostile text, short or long. */
export const hostileText = (random: Random): string =>
  random.weighted<() => string>([
    [6, () => nastyText(random)],
    [3, () => opaqueLike(random)],
    [1, () => longText(random, 3_000)],
    [2, () => random.bytes(random.between(1, 40)).toString('latin1')],
  ])();
