"""Authentication faults: credentials that are missing or wrong, and are let through."""

from __future__ import annotations

from ticonf.faults import fault
from ticonf.faults.support import crash
from ticonf.reference.service import ApiError, ReferenceService


@fault(
    "auth-ignored",
    "Requests without an Authorization header are served as if authenticated",
    "AUTH-001",
)
class AuthIgnored(ReferenceService):
    def authenticate(self, authorization: str | None) -> None:
        if authorization:
            super().authenticate(authorization)


@fault(
    "auth-secret-unchecked",
    "Only the API key is checked: the right key with any secret is accepted",
    "AUTH-002",
)
class AuthSecretUnchecked(ReferenceService):
    def basic_credentials(self, token: str) -> tuple[str, str] | None:
        credentials = super().basic_credentials(token)
        if credentials and credentials[0] == self.credentials[0]:
            return self.credentials
        return credentials


@fault(
    "auth-wrong-secret-500",
    "Credentials that do not match crash the lookup: 500 instead of 401",
    "AUTH-002",
    "AUTH-003",
    "HTTP-001",
)
class AuthWrongSecret500(ReferenceService):
    def authenticate(self, authorization: str | None) -> None:
        try:
            super().authenticate(authorization)
        except ApiError:
            if authorization:
                raise crash("credential lookup") from None
            raise


@fault(
    "auth-bearer-any",
    "Any Bearer token is accepted (its validation was left to a gateway that is not there)",
    "AUTH-003",
)
class AuthBearerAny(ReferenceService):
    def authenticate(self, authorization: str | None) -> None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return
        super().authenticate(authorization)


@fault(
    "auth-malformed-500",
    "An Authorization header that is not Basic base64(key:secret) crashes the decoder: 500",
    "AUTH-003",
    "HTTP-001",
)
class AuthMalformed500(ReferenceService):
    def authenticate(self, authorization: str | None) -> None:
        try:
            super().authenticate(authorization)
        except ApiError:
            token = (authorization or "").partition(" ")[2]
            if authorization and self.basic_credentials(token) is None:
                raise crash("Authorization header decoder") from None
            raise


@fault(
    "auth-missing-404",
    "Requests without credentials answer 404 (the API hides itself) instead of 401",
    "AUTH-004",
)
class AuthMissing404(ReferenceService):
    def authenticate(self, authorization: str | None) -> None:
        if not authorization:
            raise ApiError(404, "not found")
        super().authenticate(authorization)
