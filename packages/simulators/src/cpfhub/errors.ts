import type { ServerResponse } from 'node:http';
import { SimulatorError, sendJson } from '../http.ts';

/**
 * CPFHub speaks OAuth's error shape everywhere, on the API too (RFC 6749 §5.2, RFC 6750 §3.1):
 * `{ "error": "<code>", "error_description": "…" }`, with the headers each code calls for.
 */
export class CpfhubError extends SimulatorError {
  constructor(
    status: number,
    readonly code: string,
    description: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(status, description);
  }
}

export const invalidRequest = (description: string) => new CpfhubError(400, 'invalid_request', description);

export const invalidGrant = (description: string) => new CpfhubError(400, 'invalid_grant', description);

// The shared plumbing (body readers, uniqueParams) throws plain SimulatorErrors; this names them.
const CODE_FOR_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'request_too_large',
};

export const answerCpfhubError = (res: ServerResponse, error: unknown): void => {
  if (!(error instanceof SimulatorError)) console.error('CPFHub simulator:', error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof CpfhubError) {
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    sendJson(res, error.status, { error: error.code, error_description: error.message });
    return;
  }
  if (error instanceof SimulatorError) {
    sendJson(res, error.status, {
      error: CODE_FOR_STATUS[error.status] ?? 'invalid_request',
      error_description: error.message,
    });
    return;
  }
  sendJson(res, 500, { error: 'server_error', error_description: 'unexpected error in the simulator' });
};
