import { SimulatorError } from '../http.ts';
import { type PkiSignAuthorization, PkiSignRejected, type SignedRequest } from '../pki-sign-verifier.ts';
import type { SimulatorContext } from './context.ts';

/** The API gateway in front of /token and /entity-person: any PKI_SIGN failure is its 401. */
export const verifySignedRequest = (ctx: SimulatorContext, request: SignedRequest): PkiSignAuthorization => {
  try {
    return ctx.pki.verify(request);
  } catch (error) {
    if (error instanceof PkiSignRejected) {
      throw new SimulatorError(401, `PKI_SIGN rejected: ${error.message}`);
    }
    throw error;
  }
};
