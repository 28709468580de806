"""A demo training session two weeks ahead, open to vendors, so the training pages are not empty after make run."""

from datetime import timedelta

from eproc.accounts.models import User
from eproc.core import clock

from . import services
from .models import TrainingSession

DEMO_TOPIC = "Menyegel dan mengirim penawaran elektronik (contoh)"


def load_demo() -> None:
    if TrainingSession.objects.filter(topic=DEMO_TOPIC).exists():
        return
    trainer = User.objects.get(email="trainer@lpse.demo")
    starts = clock.now().replace(hour=1, minute=0, second=0, microsecond=0) + timedelta(days=14)  # 08:00 WIB
    services.create_session(
        actor=trainer,
        topic=DEMO_TOPIC,
        audience="vendor",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        place="Ruang pelatihan LPSE Ketapang",
        capacity=30,
        trainer=trainer,
        description="Untuk penyedia yang akan mengikuti tender elektronik.",
    )
