import { escapeHtml } from '../http.ts';
import type { CpfhubEmployee } from './employees.ts';
import { type CpfhubScope, SCOPE_DESCRIPTIONS } from './scopes.ts';

/**
 * Stands in for CPFHub's login and consent screen: pick who you are, read what the application
 * asks for, approve or deny. The form carries only a handle to the pending request, so nothing
 * the application asked for can be altered on the way back.
 */
export interface ConsentPage {
  clientId: string;
  scopes: readonly CpfhubScope[];
  consent: string;
  users: readonly CpfhubEmployee[];
}

export const CONSENT_ACTION = '/oauth/authorize';

const scopeItem = (scope: CpfhubScope) =>
  `<li><code>${escapeHtml(scope)}</code>: ${escapeHtml(SCOPE_DESCRIPTIONS[scope])}</li>`;

const userOption = (user: CpfhubEmployee) =>
  `<option value="${escapeHtml(user.userId)}">${escapeHtml(user.name)} (${escapeHtml(user.userId)})</option>`;

export const renderConsentPage = (page: ConsentPage): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>CPFHub simulator: consent</title></head>
<body>
<h1>CPFHub (local simulator)</h1>
<p>The application <strong>${escapeHtml(page.clientId)}</strong> asks for access to your CPF records:</p>
<ul>
${page.scopes.map(scopeItem).join('\n')}
</ul>
<form action="${CONSENT_ACTION}" method="post">
<input type="hidden" name="consent" value="${escapeHtml(page.consent)}">
<label>Log in as <select name="user">
${page.users.map(userOption).join('\n')}
</select></label>
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</body>
</html>
`;

export const renderErrorPage = (message: string): string => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>CPFHub simulator: request refused</title></head>
<body>
<h1>CPFHub (local simulator)</h1>
<p>This authorisation request cannot be processed: ${escapeHtml(message)}</p>
</body>
</html>
`;
