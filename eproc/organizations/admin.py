from django.contrib import admin

from .models import Agency, Appointment, DayOff, WorkUnit

# The Django admin is read-only for these models: writes go through services.py so that every change is
# checked by the policy and recorded in the audit chain. The LPSE-admin area (/kelola/) is where they are made.


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "time_zone", "is_active")


@admin.register(WorkUnit)
class WorkUnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "agency", "is_active")
    list_filter = ("agency",)


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "agency", "work_unit", "decree_number", "valid_from", "valid_until", "revoked_at")
    list_filter = ("role", "agency")


@admin.register(DayOff)
class DayOffAdmin(ReadOnlyAdmin):
    list_display = ("date", "name", "agency")
