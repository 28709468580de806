import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        """Self sign-up is closed here: agency and LPSE accounts come from a decree (Pasal 7(1)e, 7(3)c,
        9(7)e) and vendors register through the vendor registration flow, which has its own verification."""
        return False

    def is_reauthentication_required(self, *, app=None, **kwargs):
        """A password typed at login a few minutes ago is as fresh as a re-entered one. Without this, a
        committee member sent to set up their second factor right after logging in would be asked for the
        same password twice."""
        request = self.request
        if request is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            fresh = [r for r in records if time.time() - r.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT]
            if fresh:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)
