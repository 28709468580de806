"""Who may do what with training (Pasal 8(2)d, 9(10)).

The Trainer (Bidang Pelatihan dan Sosialisasi) gives the training (Pasal 9(10)a); the Kepala LPSE coordinates and
monitors the trainer and plans the coaching of the units (Pasal 9(4)d,g). Both manage sessions. The people trained
are the committees, the PPK and the vendors (Pasal 9(10)a); a session open to the public takes anyone signed in.
"""

from eproc.organizations.roles import Role
from eproc.organizations.selectors import roles_of
from eproc.vendors.policies import vendor_of

from .models import Audience, Registration, TrainingSession

_MANAGERS = {Role.TRAINER, Role.KEPALA_LPSE}
_COMMITTEE = {Role.POKJA, Role.PEJABAT_PENGADAAN}


def can_manage(user) -> bool:
    """Create and cancel sessions, mark attendance, upload materials."""
    return bool(roles_of(user) & _MANAGERS)


def can_train(user) -> bool:
    """Who may be named as a session's trainer (Pasal 9(10))."""
    return Role.TRAINER in roles_of(user)


def fits_audience(user, session: TrainingSession) -> bool:
    if not user.is_authenticated:
        return False
    if session.audience == Audience.PUBLIC:
        return True
    if session.audience == Audience.COMMITTEE:
        return bool(roles_of(user) & _COMMITTEE)
    if session.audience == Audience.PPK:
        return Role.PPK in roles_of(user)
    if session.audience == Audience.VENDOR:
        return vendor_of(user) is not None
    return False


def is_registered(user, session: TrainingSession) -> bool:
    return user.is_authenticated and Registration.objects.filter(session=session, user=user).exists()


def can_register(user, session: TrainingSession) -> bool:
    """The audience fits. Whether there is still room and time is the service's question, answered with a reason."""
    return fits_audience(user, session)


def can_view_materials(user, session: TrainingSession) -> bool:
    """Materials are for the session's registered participants and for the trainers."""
    return can_manage(user) or is_registered(user, session)
