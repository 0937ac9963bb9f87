#!/usr/bin/env python3
"""Calling Secpass from Python, and opening what it hands back.

Usable as a library (import it: ``SecpassClient``, ``open_data_token``, ``verify_login_token``) and
as a command line (``python3 secpass_example.py --help``). Needs only ``jwcrypto`` and
``requests`` (Debian: ``apt-get install python3-jwcrypto python3-requests``).

A data-bearing Secpass token (Myinfo, Myinfo Business, SG-Verify, CPFHub grants) is a compact JWE
(ECDH-ES, A256GCM) to the app's EC P-256 key, wrapping a compact JWS (ES256) signed by Secpass.
The JWS payload is the upstream's data byte for byte, so what binds the token to one app and one
moment is in the JWS's protected header, which the signature covers: ``aud`` (the app id),
``iss`` (the Secpass URL), ``iat`` and ``exp``. An app must check all four: a token another app
decrypted and re-encrypted to it verifies, and only ``aud`` gives it away.

A login token (Singpass Login) is a compact JWS (ES256) whose claims are ``sub`` (``u=<uuid>``),
``aud``, ``iss``, ``iat`` and ``exp``.

Both algorithms are pinned: a token naming any other is refused, whatever its header says.
"""

import argparse
import base64
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

try:
    import requests
    from jwcrypto import jwe, jwk, jws
    from jwcrypto.common import JWException
except ImportError as missing:  # pragma: no cover - what a newcomer sees first
    sys.stderr.write(
        f"secpass_example.py needs jwcrypto and requests ({missing}): "
        "apt-get install python3-jwcrypto python3-requests, or pip install jwcrypto requests\n"
    )
    sys.exit(3)

# What Secpass uses, and all this example accepts.
DATA_TOKEN_ALGORITHMS = ["ECDH-ES", "A256GCM"]
SIGNATURE_ALGORITHM = "ES256"
# Clock difference tolerated between Secpass and this machine.
DEFAULT_SKEW_SECONDS = 30
HTTP_TIMEOUT_SECONDS = 15


class TokenRefused(Exception):
    """The token must be discarded: it does not decrypt, does not verify, or is not bound to us."""


class SecpassApiError(Exception):
    """Secpass answered with one of its JSON errors: ``{"error": "<code>", "message": "…"}``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code


@dataclass(frozen=True)
class SecpassInstance:
    """A Secpass deployment: its base URL, the ``iss`` its tokens carry, and where its keys are."""

    url: str
    issuer: str
    jwks_url: str

    @classmethod
    def at(cls, url: str, issuer: Optional[str] = None, jwks_url: Optional[str] = None) -> "SecpassInstance":
        base = url.rstrip("/")
        return cls(url=base, issuer=issuer or base, jwks_url=jwks_url or f"{base}/.well-known/jwks.json")


@dataclass(frozen=True)
class AppCredentials:
    """The app: its id (the ``aud`` of its tokens), its API key (None on a sandbox instance, which
    needs none) and its EC P-256 private key, the only key that opens its data tokens."""

    app_id: str
    api_key: Optional[str] = None
    private_key: Optional[jwk.JWK] = None


def _b64url_json(segment: str) -> Dict[str, Any]:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError) as error:
        raise TokenRefused("the token's header is not base64url JSON") from error
    if not isinstance(value, dict):
        raise TokenRefused("the token's header is not a JSON object")
    return value


class SecpassKeys:
    """Secpass's published signing keys, fetched once and again when a token names an unknown kid
    (Secpass publishes a new key before signing with it, so one refetch is enough)."""

    def __init__(self, jwks_url: str, session: Optional[requests.Session] = None):
        self._jwks_url = jwks_url
        self._session = session or requests.Session()
        self._keys: Optional[jwk.JWKSet] = None

    def _fetch(self) -> jwk.JWKSet:
        response = self._session.get(self._jwks_url, timeout=HTTP_TIMEOUT_SECONDS)
        response.raise_for_status()
        return jwk.JWKSet.from_json(response.text)

    def key(self, kid: str) -> jwk.JWK:
        if self._keys is None:
            self._keys = self._fetch()
        found = self._keys.get_key(kid)
        if found is None:
            self._keys = self._fetch()
            found = self._keys.get_key(kid)
        if found is None:
            raise TokenRefused(f"no Secpass key has kid {kid}")
        return found


def _verified_jws(compact: str, keys: SecpassKeys) -> tuple:
    """The protected header and payload of a compact JWS that Secpass signed with ES256."""
    if compact.count(".") != 2:
        raise TokenRefused("not a compact JWS")
    header = _b64url_json(compact.split(".")[0])
    if header.get("alg") != SIGNATURE_ALGORITHM:
        raise TokenRefused(f"the signature algorithm must be {SIGNATURE_ALGORITHM}")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise TokenRefused("the signature names no key (kid)")
    signed = jws.JWS()
    signed.allowed_algs = [SIGNATURE_ALGORITHM]
    try:
        signed.deserialize(compact)
        signed.verify(keys.key(kid), alg=SIGNATURE_ALGORITHM)
    except JWException as error:
        raise TokenRefused("Secpass's signature does not verify") from error
    return header, signed.payload


def _check_binding(claims: Dict[str, Any], app_id: str, issuer: str, now: int, skew: int) -> None:
    """``aud`` this app, ``iss`` this Secpass, and now within ``iat``..``exp`` (give or take ``skew``)."""
    aud = claims.get("aud")
    if aud != app_id and not (isinstance(aud, list) and app_id in aud):
        raise TokenRefused(f"the token was sealed for another app (aud {aud!r}, expected {app_id!r})")
    if claims.get("iss") != issuer:
        raise TokenRefused(f"the token was not issued by this Secpass (iss {claims.get('iss')!r})")
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or not isinstance(exp, int):
        raise TokenRefused("the token carries no iat or exp")
    if iat > now + skew:
        raise TokenRefused("the token was issued in the future")
    if exp <= now - skew:
        raise TokenRefused("the token has expired")


@dataclass(frozen=True)
class OpenedToken:
    """What a data token held: the upstream's JSON, and the binding Secpass signed over it."""

    payload: Any
    kid: str
    issued_at: int
    expires_at: int


def open_data_token(
    token: str,
    app: AppCredentials,
    secpass: SecpassInstance,
    keys: Optional[SecpassKeys] = None,
    now: Optional[int] = None,
    skew: int = DEFAULT_SKEW_SECONDS,
) -> OpenedToken:
    """Decrypt with the app's key, verify Secpass's signature, check the signed header's binding."""
    if app.private_key is None:
        raise ValueError("opening a data token needs the app's private key")
    encrypted = jwe.JWE()
    encrypted.allowed_algs = DATA_TOKEN_ALGORITHMS
    try:
        encrypted.deserialize(token.strip(), key=app.private_key)
    except JWException as error:
        raise TokenRefused("the token does not decrypt with this app's key (ECDH-ES, A256GCM)") from error
    inner = encrypted.payload.decode("ascii", errors="replace")
    header, payload = _verified_jws(inner, keys or SecpassKeys(secpass.jwks_url))
    _check_binding(header, app.app_id, secpass.issuer, int(time.time()) if now is None else now, skew)
    try:
        data = json.loads(payload)
    except ValueError as error:
        raise TokenRefused("the signed payload is not JSON") from error
    return OpenedToken(payload=data, kid=header["kid"], issued_at=header["iat"], expires_at=header["exp"])


def verify_login_token(
    token: str,
    app_id: str,
    secpass: SecpassInstance,
    keys: Optional[SecpassKeys] = None,
    now: Optional[int] = None,
    skew: int = DEFAULT_SKEW_SECONDS,
) -> Dict[str, Any]:
    """The claims of a Secpass login token, once its signature, ``aud``, ``iss`` and times check out."""
    _, payload = _verified_jws(token.strip(), keys or SecpassKeys(secpass.jwks_url))
    try:
        claims = json.loads(payload)
    except ValueError as error:
        raise TokenRefused("the login token's claims are not JSON") from error
    if not isinstance(claims, dict):
        raise TokenRefused("the login token's claims are not a JSON object")
    _check_binding(claims, app_id, secpass.issuer, int(time.time()) if now is None else now, skew)
    if not isinstance(claims.get("sub"), str) or not claims["sub"].startswith("u="):
        raise TokenRefused("the login token names no Singpass user (sub u=<uuid>)")
    return claims


class SecpassClient:
    """The API calls an app's backend makes, with its API key (or none, on a sandbox instance)."""

    def __init__(self, secpass: SecpassInstance, app: AppCredentials, session: Optional[requests.Session] = None):
        self.secpass = secpass
        self.app = app
        self.session = session or requests.Session()
        self.keys = SecpassKeys(secpass.jwks_url, self.session)

    def _headers(self) -> Dict[str, str]:
        return {"Authorization": f"Basic {self.app.api_key}"} if self.app.api_key else {}

    def _send(self, method: str, path: str, expected: int, **kwargs: Any) -> requests.Response:
        response = self.session.request(
            method,
            f"{self.secpass.url}{path}",
            headers=self._headers(),
            timeout=HTTP_TIMEOUT_SECONDS,
            allow_redirects=False,
            **kwargs,
        )
        if response.status_code != expected:
            try:
                body = response.json()
            except ValueError:
                body = {}
            raise SecpassApiError(
                response.status_code, str(body.get("error", "unexpected_status")), str(body.get("message", ""))
            )
        return response

    def myinfo_init(self) -> str:
        """Where to send the person: Myinfo's consent page (``GET /myinfo/init`` answers 302)."""
        return self._send("GET", "/myinfo/init", 302).headers["Location"]

    def myinfo_token(self, code: str, state: str) -> str:
        """The sealed Secpass token for the code and state Myinfo sent to the app's callback."""
        return self._send("GET", "/myinfo/token", 200, params={"code": code, "state": state}).text

    def myinfo_person(self, code: str, state: str) -> OpenedToken:
        return open_data_token(self.myinfo_token(code, state), self.app, self.secpass, self.keys)

    def singpass_auth_req_uri(self) -> str:
        body = self._send("POST", "/oidc/singpass/authReqUri", 200, json={"purpose": "login"}).json()
        return body["authReqUri"]

    def singpass_login(self, auth_code: str, state: str) -> Dict[str, Any]:
        """The verified claims of the login token for the code and state Singpass sent back."""
        body = self._send("POST", "/oidc/singpass/userInfo", 200, json={"authCode": auth_code, "state": state}).json()
        return verify_login_token(body["token"], self.app.app_id, self.secpass, self.keys)


# --- printing: never a whole NRIC, name or grant id on a terminal or in a log ---

NRIC_OR_FIN = re.compile(r"^[STFGM]\d{7}[A-Z]$", re.IGNORECASE)


def mask(text: str) -> str:
    """``S9812381D`` → ``S****381D`` (how Singapore masks an NRIC); anything else → its first letter."""
    if text == "":
        return ""
    if NRIC_OR_FIN.match(text):
        return text[0] + "****" + text[-4:]
    return text[0] + "***"


def _shown(attribute: Any) -> str:
    if isinstance(attribute, str):
        return mask(attribute)
    if isinstance(attribute, dict):
        for field in ("value", "desc", "code"):
            value = attribute.get(field)
            if isinstance(value, str):
                return mask(value)
    return "***"


def masked_view(payload: Any) -> Dict[str, Any]:
    """Each top-level attribute masked; Myinfo v5 (FAPI 2.0) keeps the person under ``person_info``."""
    if isinstance(payload, dict) and isinstance(payload.get("person_info"), dict):
        payload = payload["person_info"]
    if not isinstance(payload, dict):
        return {"payload": "***"}
    return {name: _shown(value) for name, value in sorted(payload.items())}


# --- command line ---

USAGE_EPILOG = """configuration (flags or environment):
  --url SECPASS_URL               the Secpass instance, e.g. http://127.0.0.1:3000
  --app-id SECPASS_APP_ID         your app id: the aud your tokens must carry
  --api-key SECPASS_API_KEY       your API key; leave out on a sandbox instance, which needs none
  --private-jwk-file SECPASS_PRIVATE_JWK_FILE, or SECPASS_PRIVATE_JWK (the JWK as JSON)
                                  your app's EC P-256 private key, to open data tokens
  --issuer SECPASS_ISSUER         the iss of Secpass's tokens (default: the URL)
  --jwks-url SECPASS_JWKS_URL     Secpass's keys (default: <url>/.well-known/jwks.json)
exit status: 0 done, 1 token refused or API error, 2 bad usage"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Call Secpass, open its data tokens and verify its login tokens.",
        epilog=USAGE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    env = os.environ.get
    parser.add_argument("--url", default=env("SECPASS_URL"))
    parser.add_argument("--app-id", default=env("SECPASS_APP_ID"))
    parser.add_argument("--api-key", default=env("SECPASS_API_KEY"))
    parser.add_argument("--private-jwk-file", default=env("SECPASS_PRIVATE_JWK_FILE"))
    parser.add_argument("--issuer", default=env("SECPASS_ISSUER"))
    parser.add_argument("--jwks-url", default=env("SECPASS_JWKS_URL"))
    parser.add_argument("--skew", type=int, default=DEFAULT_SKEW_SECONDS, help="seconds of clock skew tolerated")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("myinfo-init", help="print where to send the person for Myinfo consent")
    token = commands.add_parser("myinfo-token", help="exchange a Myinfo code, open the token, print it masked")
    token.add_argument("code")
    token.add_argument("state")
    commands.add_parser("singpass-auth", help="print the Singpass login URL")
    login = commands.add_parser("singpass-login", help="exchange a Singpass code, verify the login token")
    login.add_argument("auth_code")
    login.add_argument("state")
    opened = commands.add_parser("open-token", help="open a data token (argument, or - for stdin)")
    opened.add_argument("token", nargs="?", default="-")
    verified = commands.add_parser("verify-login-token", help="verify a login token (argument, or - for stdin)")
    verified.add_argument("token", nargs="?", default="-")
    return parser


def _private_key(options: argparse.Namespace) -> Optional[jwk.JWK]:
    if options.private_jwk_file:
        with open(options.private_jwk_file, encoding="utf-8") as file:
            return jwk.JWK.from_json(file.read())
    given = os.environ.get("SECPASS_PRIVATE_JWK")
    return jwk.JWK.from_json(given) if given else None


def _token_argument(value: str) -> str:
    return sys.stdin.read().strip() if value == "-" else value


def _opened_output(opened: OpenedToken) -> Dict[str, Any]:
    return {
        "kid": opened.kid,
        "issuedAt": opened.issued_at,
        "expiresAt": opened.expires_at,
        "person": masked_view(opened.payload),
    }


def run(argv: List[str]) -> Dict[str, Any]:
    parser = _parser()
    options = parser.parse_args(argv)
    if not options.url:
        parser.error("say which Secpass: --url or SECPASS_URL")
    needs_app = options.command not in ("myinfo-init", "singpass-auth")
    if needs_app and not options.app_id:
        parser.error("this command checks tokens are yours: --app-id or SECPASS_APP_ID")
    needs_key = options.command in ("myinfo-token", "open-token")
    private_key = _private_key(options) if needs_key else None
    if needs_key and private_key is None:
        parser.error("opening a data token needs your private key: --private-jwk-file or SECPASS_PRIVATE_JWK")
    secpass = SecpassInstance.at(options.url, options.issuer, options.jwks_url)
    app = AppCredentials(app_id=options.app_id or "", api_key=options.api_key or None, private_key=private_key)
    client = SecpassClient(secpass, app)
    if options.command == "myinfo-init":
        return {"location": client.myinfo_init()}
    if options.command == "singpass-auth":
        return {"authReqUri": client.singpass_auth_req_uri()}
    if options.command == "myinfo-token":
        return _opened_output(client.myinfo_person(options.code, options.state))
    if options.command == "open-token":
        opened = open_data_token(_token_argument(options.token), app, secpass, client.keys, skew=options.skew)
        return _opened_output(opened)
    if options.command == "singpass-login":
        claims = client.singpass_login(options.auth_code, options.state)
    else:
        claims = verify_login_token(_token_argument(options.token), app.app_id, secpass, client.keys, skew=options.skew)
    return {"sub": claims["sub"], "aud": claims["aud"], "issuedAt": claims["iat"], "expiresAt": claims["exp"]}


def main(argv: Optional[List[str]] = None) -> int:
    try:
        print(json.dumps(run(sys.argv[1:] if argv is None else argv), indent=2))
        return 0
    except TokenRefused as refused:
        sys.stderr.write(f"refused: {refused}\n")
    except SecpassApiError as error:
        sys.stderr.write(f"Secpass answered {error}\n")
    except requests.RequestException as error:
        sys.stderr.write(f"could not reach Secpass: {type(error).__name__}\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
