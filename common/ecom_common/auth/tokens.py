from rest_framework_simplejwt.models import TokenUser as SimpleJWTTokenUser


class TokenUser(SimpleJWTTokenUser):
    """The caller as the access token describes them (id, staff flags), with no database lookup."""
