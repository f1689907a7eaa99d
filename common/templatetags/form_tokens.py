"""`{% form_token %}`: a new idempotency token for a hand-written form (the urge forms), posted
as the hidden field `token`; the service saves one object per token (supervision.services.urge)."""

import uuid

from django import template

register = template.Library()


@register.simple_tag
def form_token() -> str:
    return str(uuid.uuid4())
