"""simplejwt's token backend, with keys resolved at run time by ``ecom_common.auth.keys``.

simplejwt builds one module-level backend from static settings; ``EcomCommonConfig.ready``
swaps in this one so that the signer stamps a ``kid`` and verifiers can find the key in a JWKS.
"""

from typing import Any

import jwt
from rest_framework_simplejwt.backends import TokenBackend as SimpleJWTTokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings

from ecom_common.auth import keys


class TokenBackend(SimpleJWTTokenBackend):
    def __init__(self):
        super().__init__(
            algorithm=api_settings.ALGORITHM,
            audience=api_settings.AUDIENCE,
            issuer=api_settings.ISSUER,
            leeway=api_settings.LEEWAY,
            json_encoder=api_settings.JSON_ENCODER,
        )

    def encode(self, payload: dict[str, Any]) -> str:
        private_pem = keys.private_key_pem()
        if private_pem is None:
            raise TokenBackendError("Only the identity service signs tokens.")
        jwt_payload = {**payload, "aud": self.audience, "iss": self.issuer}
        return jwt.encode(
            jwt_payload,
            private_pem,
            algorithm=self.algorithm,
            headers={"kid": keys.signing_jwk()["kid"]},
            json_encoder=self.json_encoder,
        )

    def get_verifying_key(self, token) -> Any:
        try:
            return keys.verifying_key(token)
        except (jwt.PyJWKClientError, jwt.DecodeError) as exc:
            raise TokenBackendError("Token is invalid") from exc
