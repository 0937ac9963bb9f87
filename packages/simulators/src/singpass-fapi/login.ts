import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { escapeHtml, readForm, SimulatorError, sendHtml } from '../http.ts';
import { assuranceFor } from './assurance.ts';
import { INTERACTION_PATH } from './mount.ts';
import { isKnownPerson, uuidOf } from './personas.ts';

/**
 * Login and consent, in one step: headless when the person is named by `X-Custom-NRIC` (on the
 * authorise request or on this one), otherwise a minimal form. Consent grants exactly the scopes
 * the pushed request asked for.
 */
export interface Person {
  nric: string;
  /** The subject's Singpass uuid; the persona's own when absent. */
  uuid?: string;
}

const INTERACTION_MS = 10 * 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const personFromHeaders = (req: { headers: IncomingMessage['headers'] }): Person | undefined => {
  const nric = req.headers['x-custom-nric'];
  const uuid = req.headers['x-custom-uuid'];
  if (typeof nric !== 'string' || nric === '') return undefined;
  return typeof uuid === 'string' && uuid !== '' ? { nric, uuid } : { nric };
};

/** Who each pending interaction is for, when the authorise request said so. */
export class HeadlessLogins {
  readonly #pending = new Map<string, { person: Person; at: number }>();

  remember(uid: string, person: Person): void {
    const now = Date.now();
    for (const [key, entry] of this.#pending) if (now - entry.at > INTERACTION_MS) this.#pending.delete(key);
    this.#pending.set(uid, { person, at: now });
  }

  take(uid: string): Person | undefined {
    const entry = this.#pending.get(uid);
    this.#pending.delete(uid);
    return entry?.person;
  }
}

const loginPage = (uid: string, scope: string): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Singpass FAPI 2.0 simulator: log in</title></head>
<body>
<h1>Singpass (local FAPI 2.0 simulator)</h1>
<p>The application asks for: <code>${escapeHtml(scope)}</code></p>
<form action="${INTERACTION_PATH}${escapeHtml(uid)}" method="post">
<label>NRIC <input name="nric" value="S9812381D" required></label>
<label>UUID (optional) <input name="uuid"></label>
<button type="submit">Log in and consent</button>
</form>
</body>
</html>`;

export const handleLogin = async (
  provider: Provider,
  headless: HeadlessLogins,
  accounts: Map<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> => {
  const details = await provider.interactionDetails(req, res);
  const scope = String(details.params.scope ?? '');
  let person = headless.take(details.uid) ?? personFromHeaders(req);
  if (!person && req.method === 'POST') {
    const form = await readForm(req);
    const uuid = form.get('uuid');
    person = { nric: form.get('nric') ?? '', ...(uuid ? { uuid } : {}) };
  }
  if (!person) return sendHtml(res, loginPage(details.uid, scope));
  if (!isKnownPerson(person.nric)) throw new SimulatorError(400, 'no such person among the personas');
  const accountId = person.uuid ?? uuidOf(person.nric);
  if (!accountId) throw new SimulatorError(400, 'the persona has no uuid; name one with X-Custom-UUID');
  // Singpass's subject is always a bare UUID; a relying party may rely on that shape.
  if (!UUID.test(accountId)) throw new SimulatorError(400, 'X-Custom-UUID must be a UUID');
  accounts.set(accountId, person.nric);

  const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  grant.addOIDCScope(scope);
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId, ...assuranceFor(details.params.acr_values) }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
};
