"""Django-free helpers shared by every app: clock, working-day calendar, Rupiah, dates, terbilang, ids.

Nothing in this package imports Django, so it can be tested (and reused in scripts and workers) without
settings.
"""
