import type { FuzzCase } from './cases.ts';
import type { Outcome } from './outcome.ts';

/** Short, printable accounts of a case and its outcome, for findings; API keys masked. */
const PREVIEW = 240;

const printable = (text: string, max = PREVIEW): string => {
  const shown = JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
  return shown.replace(/spk_[A-Za-z0-9_-]{8,}/g, 'spk_…');
};

export const describeCase = (fuzzCase: FuzzCase): string => {
  const target = fuzzCase.query ? `${fuzzCase.path}?${fuzzCase.query}` : fuzzCase.path;
  const headers = fuzzCase.headers.map(([name, value]) => `${name}: ${value}`).join(' | ');
  const body = fuzzCase.body
    ? `${fuzzCase.body.length} bytes${fuzzCase.base64Body ? ' (base64)' : ''} ${printable(fuzzCase.body.toString('utf8'), 120)}`
    : 'none';
  const forged =
    fuzzCase.forgedAppId === undefined ? '' : `; forged appId ${printable(String(fuzzCase.forgedAppId), 60)}`;
  return `${fuzzCase.method} ${printable(target)} via ${fuzzCase.via}; headers ${printable(headers)}; body ${body}${forged}`;
};

export const describeOutcome = (outcome: Outcome): string => {
  switch (outcome.kind) {
    case 'answered':
      return `${outcome.answer.status} ${outcome.answer.contentType || '(no type)'} ${printable(outcome.answer.body)}`;
    case 'hang':
      return `no answer after ${outcome.afterMs} ms`;
    default:
      return `${outcome.kind}: ${'status' in outcome ? `${outcome.status} ` : ''}${outcome.reason}`;
  }
};

/** Everything the case carried, raw and decoded: what an answer may quote back without leaking. */
export const requestText = (fuzzCase: FuzzCase): string => {
  const raw = [
    fuzzCase.path,
    fuzzCase.query,
    ...fuzzCase.headers.flat(),
    fuzzCase.body?.toString('utf8') ?? '',
    String(fuzzCase.forgedAppId ?? ''),
  ].join('\n');
  const params = [...new URLSearchParams(fuzzCase.query)].flat().join('\n');
  let decodedPath = '';
  try {
    decodedPath = decodeURIComponent(fuzzCase.path);
  } catch {
    decodedPath = '';
  }
  return `${raw}\n${params}\n${decodedPath}`;
};
