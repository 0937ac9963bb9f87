import { escapeHtml } from '../http.ts';
import { isKnownAttribute } from './data-items.ts';
import type { MyinfoBizPersona } from './personas.ts';

/**
 * Stands in for Corppass login plus Myinfo Business consent: pick which officer of which entity
 * you are, read what the app asks for and why, allow or deny. The form carries only a handle to
 * the pending request, so nothing the app asked for can be altered on the way back.
 */
export interface ConsentPage {
  clientId: string;
  purpose: string;
  requestedAttributes: readonly string[];
  transaction: string;
  personas: readonly MyinfoBizPersona[];
}

export const CONSENT_PATH = '/biz/v2/authorise/consent';

const attributeItem = (name: string) =>
  isKnownAttribute(name)
    ? `<li>${escapeHtml(name)}</li>`
    : `<li>${escapeHtml(name)} <em>(not available, will not be shared)</em></li>`;

const personaChoice = (persona: MyinfoBizPersona, index: number) =>
  `<label><input type="radio" name="persona" value="${escapeHtml(persona.subject)}"${index === 0 ? ' checked' : ''}> ` +
  `${escapeHtml(persona.officerName)} (${escapeHtml(persona.uinfin)}) for ` +
  `${escapeHtml(persona.entityName)} (${escapeHtml(persona.uen)})</label><br>`;

export const renderConsentPage = (page: ConsentPage): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Myinfo Business simulator: consent</title></head>
<body>
<h1>Myinfo Business (local simulator)</h1>
<p>The application <strong>${escapeHtml(page.clientId)}</strong> asks for your entity's and your data.</p>
<p>Purpose: ${escapeHtml(page.purpose)}</p>
<h2>Data requested</h2>
<ul>
${page.requestedAttributes.map(attributeItem).join('\n')}
</ul>
<form action="${CONSENT_PATH}" method="post">
<input type="hidden" name="transaction" value="${escapeHtml(page.transaction)}">
<fieldset>
<legend>Log in with Corppass as</legend>
${page.personas.map(personaChoice).join('\n')}
</fieldset>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</body>
</html>
`;
