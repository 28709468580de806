"""Account writes. Agency and LPSE accounts are created by an administrator from a decree; the person then
chooses their own password from an e-mailed link, so no one else ever knows it (Pasal 4(2)a, 9(7)e)."""

from allauth.account.internal.flows.password_reset import request_password_reset
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from eproc.audit.services import record

from .models import User


@transaction.atomic
def create_account(*, actor: User | None, email: str, full_name: str, nip: str = "", phone: str = "") -> User:
    """An account without a usable password. The address counts as verified: the only way in is the
    set-password link sent to it. Permission is the caller's to check (who may create accounts depends on why)."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this e-mail address already exists.")})
    if not full_name.strip():
        raise ValidationError({"full_name": _("The full name is required.")})
    user = User(email=email, full_name=full_name.strip(), nip=nip.strip(), phone=phone.strip())
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    record(
        actor=actor,
        action="user.created",
        target=user,
        data={"email": user.email, "full_name": user.full_name, "nip": user.nip},
    )
    return user


def send_set_password_invitation(request, user: User) -> None:
    """E-mail `user` a link to choose their password (allauth's reset flow, same token and expiry)."""
    request_password_reset(request, user.email, [user], None)
