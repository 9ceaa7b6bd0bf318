"""A sync run's times are instants (aware datetimes), whichever store keeps it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from legsync.domain import SyncCounts, SyncRun

T0 = datetime(2027, 3, 1, 14, 30, tzinfo=UTC)
EST = timezone(timedelta(hours=-5), "EST")


def test_a_run_with_aware_times_is_kept_as_given() -> None:
    started = datetime(2027, 3, 1, 9, 30, tzinfo=EST)
    run = SyncRun("VA000001", started, T0 + timedelta(seconds=2), True, SyncCounts(opened=3))
    assert (run.started_at, run.finished_at) == (started, T0 + timedelta(seconds=2))


@pytest.mark.parametrize(
    ("field", "moment"),
    [
        ("started_at", datetime(2027, 3, 1, 14, 30)),  # noqa: DTZ001 - naive on purpose
        ("finished_at", datetime(2027, 3, 1, 14, 30)),  # noqa: DTZ001 - naive on purpose
        ("finished_at", "2027-03-01T14:30:00+00:00"),
    ],
)
def test_a_time_that_is_not_an_aware_datetime_is_refused_by_name(
    field: str, moment: object
) -> None:
    times = {"started_at": T0, "finished_at": T0, field: moment}
    with pytest.raises(ValueError, match=f"{field} must be an aware datetime"):
        SyncRun(account_id="VA000001", success=True, **times)  # type: ignore[arg-type]
