import { SimulatorError } from '../http.ts';
import {
  type PkiSignAuthorization,
  PkiSignRejected,
  type PkiSignVerifier,
  type SignedRequest,
} from '../pki-sign-verifier.ts';

/** The API gateway in front of /token and /person: any PKI_SIGN failure is its 401. */
export const verifySignedRequest = (pki: PkiSignVerifier, request: SignedRequest): PkiSignAuthorization => {
  try {
    return pki.verify(request);
  } catch (error) {
    if (error instanceof PkiSignRejected) {
      throw new SimulatorError(401, `PKI_SIGN rejected: ${error.message}`);
    }
    throw error;
  }
};
