import pytest

from tasks.numbering import InvalidTaskNumber, normalize_number, parent_number, sort_key


@pytest.mark.parametrize(
    "written, number",
    [("1", "1"), (1, "1"), (5.0, "5"), (5.1, "5.1"), ("5.2", "5.2"), ("5(2)", "5.2"), ("5（2）", "5.2"),
     ("5-2", "5.2"), ("05.02", "5.2"), (" 10.1 ", "10.1"), ("3、", "3"), ("5．3", "5.3")],
)  # fmt: skip
def test_task_numbers_are_normalised(written, number):
    assert normalize_number(written) == number


@pytest.mark.parametrize("written", [None, "", "一", "a1", "1..2", "（一）"])
def test_invalid_task_numbers_are_refused(written):
    with pytest.raises(InvalidTaskNumber):
        normalize_number(written)


def test_natural_order():
    numbers = ["10", "2", "5.10", "1", "5.2", "5", "10.1", "11"]
    assert sorted(numbers, key=sort_key) == ["1", "2", "5", "5.2", "5.10", "10", "10.1", "11"]


def test_parent_number():
    assert parent_number("5.2") == "5" and parent_number("5.2.1") == "5.2" and parent_number("5") is None


@pytest.mark.django_db
def test_tasks_are_listed_in_natural_order():
    from tasks.models import Task

    from ..factories import CampaignFactory, TaskFactory

    campaign = CampaignFactory()
    for number in ["10", "2", "5.1", "1", "5"]:
        TaskFactory(campaign=campaign, number=number)
    assert list(Task.objects.filter(campaign=campaign).values_list("number", flat=True)) == ["1", "2", "5", "5.1", "10"]
