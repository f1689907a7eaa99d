import pytest

from .bulletin_world import build


@pytest.fixture
def bw(world, assign, member):
    """The bulletins' reporting world (bulletin_world.build)."""
    return build(world, assign, member)
