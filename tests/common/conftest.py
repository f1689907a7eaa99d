# The demo as the supervision jobs see it: the calendar's once-a-day warning is tested through a job.
from tests.supervision.conftest import demo  # noqa: F401
