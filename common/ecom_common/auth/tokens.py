from functools import cached_property

from rest_framework_simplejwt.models import TokenUser as SimpleJWTTokenUser


class TokenUser(SimpleJWTTokenUser):
    """The caller as the access token describes them: id, email, staff flags, groups. No database."""

    @cached_property
    def email(self) -> str:
        return self.token.get("email", "")

    @cached_property
    def group_names(self) -> list[str]:
        return list(self.token.get("groups", []))
