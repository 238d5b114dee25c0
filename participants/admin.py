from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count

from participants.models import ApiToken, Department, DepartmentAlias, Profile, ProvincialOffice


class DepartmentAliasInline(admin.TabularInline):
    model = DepartmentAlias
    extra = 0
    fields = ["spelling", "reason"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh", "kind", "alias_list", "work_item_count"]
    ordering = ["name"]
    list_filter = ["kind"]
    search_fields = ["name", "name_zh", "aliases__spelling"]
    inlines = [DepartmentAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_aliases().annotate(n_items=Count("work_item_links", distinct=True))

    @admin.display(description="aliases")
    def alias_list(self, obj):
        return ", ".join(alias.spelling for alias in obj.aliases.all()) or "—"

    @admin.display(description="work items", ordering="n_items")
    def work_item_count(self, obj):
        return obj.n_items


@admin.register(DepartmentAlias)
class DepartmentAliasAdmin(admin.ModelAdmin):
    list_display = ["spelling", "department"]
    list_select_related = ["department"]
    search_fields = ["spelling", "department__name"]
    autocomplete_fields = ["department"]


@admin.register(ProvincialOffice)
class ProvincialOfficeAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "region", "kind", "code", "name_zh"]
    list_filter = ["kind"]
    search_fields = ["short_name", "name", "region", "name_zh", "code"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "token_key", "user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["name", "token_key", "user__username"]
    readonly_fields = ["digest", "token_key", "created"]
    fields = ["user", "name", "token_key", "created", "expiry"]

    def has_add_permission(self, request):
        return False  # a token is shown once to its owner at creation; the admin cannot show it


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["role", "office", "department"]
    autocomplete_fields = ["office", "department"]


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class PlanpromoUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "email", "role", "organisation", "is_active", "is_superuser"]
    list_select_related = ["profile__office", "profile__department"]
    list_filter = ["profile__role", "is_active", "is_superuser"]

    @admin.display(description="role", ordering="profile__role")
    def role(self, user):
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else "—"

    @admin.display(description="organisation")
    def organisation(self, user):
        profile = getattr(user, "profile", None)
        return profile.organisation if profile and profile.organisation else "—"


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "office", "department"]
    list_filter = ["role", "office", "department"]
    list_select_related = ["user", "office", "department"]
    search_fields = ["user__username"]
    autocomplete_fields = ["office", "department"]
