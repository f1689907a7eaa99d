from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.naming import name_key


class Unit(models.Model):
    """An organisation that is assigned tasks and files reports: a bureau, a township, an office."""

    class Kind(models.TextChoices):
        PARTY = "party", _("Party organ")
        GOVERNMENT = "government", _("Government department")
        DISCIPLINE = "discipline", _("Discipline inspection")
        JUDICIAL = "judicial", _("Judicial organ")
        PEOPLE = "people", _("People's organisation")
        TOWNSHIP = "township", _("Township, street or zone")
        OTHER = "other", _("Other")

    name = models.CharField(_("full name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    # The normalised full name (see common.naming.name_key); resolution goes by key.
    key = models.CharField(max_length=100, unique=True, editable=False, verbose_name=_("key"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    # The auth group that stands for the unit's members in object permissions (django-guardian):
    # tasks are granted to the unit's group, and liaisons and heads are in it.
    group = models.OneToOneField(
        "auth.Group",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="unit",
        verbose_name=_("group"),
    )

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = name_key(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("units:detail", args=[self.pk])

    @property
    def display_name(self):
        return self.short_name or self.name

    @property
    def other_names(self) -> list[str]:
        """Its aliases besides its full and short names (the directory's import records the short
        name as an alias too, for matching): what the pages list as aliases. Reads aliases.all(),
        prefetched by the pages."""
        return [alias.name for alias in self.aliases.all() if alias.name not in (self.name, self.short_name)]


class UnitAlias(models.Model):
    """Another name a unit is written by: a short form, a former name, a variant spelling."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("unit"))
    name = models.CharField(_("alias"), max_length=100)
    # Unique across aliases: one spelling cannot stand for two units.
    key = models.CharField(max_length=100, unique=True, editable=False, verbose_name=_("key"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit alias")
        verbose_name_plural = _("unit aliases")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = name_key(self.name)
        super().save(*args, **kwargs)


class UnitGroup(models.Model):
    """A name that stands for many units in a sheet, e.g. 各镇街(经济园区) or 区政府各部门."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key = models.CharField(max_length=100, unique=True, editable=False, verbose_name=_("key"))
    members = models.ManyToManyField(Unit, related_name="groups", blank=True, verbose_name=_("members"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit group")
        verbose_name_plural = _("unit groups")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = name_key(self.name)
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A user's place in a unit: liaison (files reports), head, or supervision-office staff."""

    class Role(models.TextChoices):
        LIAISON = "liaison", _("Liaison")
        HEAD = "head", _("Unit head")
        OFFICE = "office", _("Supervision office staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Who gave or took which place, and when (admin or service): membership is what grants a
    # unit's tasks and reports, so every change is kept.
    history = HistoricalRecords(verbose_name=_("membership change"), verbose_name_plural=_("membership changes"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_user_unit_role")
        ]
        indexes = [models.Index(fields=["unit", "role"], name="membership_unit_role_idx")]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class Leader(models.Model):
    """A district-level official named as a task's responsible leader (牵头领导 / 分管领导)."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=64, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leader_profile",
        verbose_name=_("user account"),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    # Linking an account makes it a leader's (who reads every campaign): changes are kept.
    history = HistoricalRecords(verbose_name=_("leader change"), verbose_name_plural=_("leader changes"))

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("leader")
        verbose_name_plural = _("leaders")

    def __str__(self):
        return f"{self.name}（{self.title}）" if self.title else self.name
