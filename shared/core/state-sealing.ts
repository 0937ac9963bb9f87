import type { JWK } from 'jose';
import { openText, type SealedText, sealText } from '../crypto/token-cipher.ts';
import type { StateKeys } from '../secrets/state-keys.ts';
import type { AuthState, FapiSession } from './auth-state.ts';

/**
 * What a pending flow keeps that would let whoever reads the table act in its place (a FAPI 2.0
 * session's DPoP private key and PKCE verifier, a CPFHub flow's PKCE verifier) is stored sealed
 * with the state keys, bound to its state value, as CPFHub tokens are bound to their grant. The
 * table's own encryption alone would leave them readable to anyone who may read the table.
 */
export type Stored = Record<string, unknown>;

interface SealedFapiSession extends Omit<FapiSession, 'codeVerifier' | 'dpopKey'> {
  sealedCodeVerifier: SealedText;
  dpopKey: { sealedPrivateJwk: SealedText; publicJwk: JWK };
}

const contextOf = (state: string) => `state:${state}`;

const sealForRest = async (loadStateKeys: () => Promise<StateKeys>, state: AuthState): Promise<Stored> => {
  const fapiSession = 'fapi' in state ? state.fapi : undefined;
  if (state.provider !== 'cpfhub' && !fapiSession) return { ...state };
  const { sealingKey } = await loadStateKeys();
  const seal = (text: string) => sealText(text, sealingKey, contextOf(state.state));
  if (state.provider === 'cpfhub') {
    const { codeVerifier, ...rest } = state;
    return { ...rest, sealedCodeVerifier: seal(codeVerifier) };
  }
  if (!fapiSession) return { ...state };
  const { codeVerifier, dpopKey, ...session } = fapiSession;
  const fapi: SealedFapiSession = {
    ...session,
    sealedCodeVerifier: seal(codeVerifier),
    dpopKey: { sealedPrivateJwk: seal(JSON.stringify(dpopKey.privateJwk)), publicJwk: dpopKey.publicJwk },
  };
  return { ...state, fapi };
};

/** Throws when a sealed field was altered or moved from another state. */
const openFromRest = async <T extends AuthState>(
  loadStateKeys: () => Promise<StateKeys>,
  item: Stored,
): Promise<T> => {
  const fapi = item.fapi as SealedFapiSession | undefined;
  const sealedVerifier = item.sealedCodeVerifier as SealedText | undefined;
  if (!fapi && !sealedVerifier) return item as T;
  const { openingKeys } = await loadStateKeys();
  const open = (sealed: SealedText) => openText(sealed, openingKeys, contextOf(String(item.state)));
  if (sealedVerifier) {
    const { sealedCodeVerifier: _sealed, ...rest } = item;
    return { ...rest, codeVerifier: open(sealedVerifier) } as T;
  }
  if (!fapi) return item as T;
  const { sealedCodeVerifier, dpopKey, ...session } = fapi;
  const opened: FapiSession = {
    ...session,
    codeVerifier: open(sealedCodeVerifier),
    dpopKey: { privateJwk: JSON.parse(open(dpopKey.sealedPrivateJwk)) as JWK, publicJwk: dpopKey.publicJwk },
  };
  return { ...item, fapi: opened } as T;
};

export interface StateSealing {
  forRest(state: AuthState): Promise<Stored>;
  fromRest<T extends AuthState>(item: Stored): Promise<T>;
}

/** Seals a state's secret parts for a store whose readers must not be able to act on them. */
export const stateSealing = (loadStateKeys: () => Promise<StateKeys>): StateSealing => ({
  forRest: (state) => sealForRest(loadStateKeys, state),
  fromRest: (item) => openFromRest(loadStateKeys, item),
});
