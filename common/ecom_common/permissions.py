"""Who may do what: the one staff check, and DRF permissions built on it."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


def is_staff(user) -> bool:
    """A signed-in member of staff (the token's claim, or the local shadow user in the admin)."""
    return bool(user and user.is_authenticated and user.is_staff)


class IsStaffOrReadOnly(BasePermission):
    """Anyone may read; only staff may write."""

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or is_staff(request.user)


class IsStaff(BasePermission):
    def has_permission(self, request, view):
        return is_staff(request.user)
