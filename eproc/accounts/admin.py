from django.contrib import admin

from .models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Read-mostly: accounts are created and changed through services so each change is audited."""

    list_display = ("email", "full_name", "nip", "is_active", "last_login")
    search_fields = ("email", "full_name", "nip")
    readonly_fields = ("password", "public_id", "last_login", "date_joined")
    exclude = ("groups", "user_permissions")
