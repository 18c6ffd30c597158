"""How accounts sign in here (the API's token endpoint and this service's own admin)."""

from django.contrib.auth.backends import ModelBackend

from accounts import sign_in_guard


class LockoutModelBackend(ModelBackend):
    """Django's email-and-password check, counted by ``sign_in_guard``: a locked account is
    refused before its password is even checked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = username or kwargs.get("email")
        if not email:
            return super().authenticate(request, username=username, password=password, **kwargs)
        seconds = sign_in_guard.sign_in_locked_seconds(email)
        if seconds:
            if request is not None:
                request.sign_in_refusal = sign_in_guard.locked_message(seconds)  # the admin form shows it
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            sign_in_guard.sign_in_failed(email)
        else:
            sign_in_guard.sign_in_succeeded(email)
        return user
