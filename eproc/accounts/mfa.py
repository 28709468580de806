from allauth.mfa.models import Authenticator
from django.conf import settings

from eproc.organizations.selectors import roles_of


def mfa_required_for(user) -> bool:
    """DESIGN 6: LPSE staff and committee members need a second factor (the roles are a setting)."""
    required = set(settings.EPROC_MFA_REQUIRED_ROLES)
    return any(role.value in required for role in roles_of(user))


def has_second_factor(user) -> bool:
    # Recovery codes alone are not a factor: they exist to replace a lost TOTP device or security key.
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()
