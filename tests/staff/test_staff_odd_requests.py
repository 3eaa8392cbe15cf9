"""Odd but harmless requests get an answer, never a 500: CR/LF in next=, a huge page number,
closures at the ends of the calendar."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from staff_support import EDITOR, says

from ivr import create_app
from ivr.models import Closure


@pytest.mark.parametrize(
    "target",
    [
        "/staff/line%0D%0ASet-Cookie:%20x=1",
        "/staff/line%0Ax",
        "/staff/line%E2%80%A8x",
        "/staff\\\\evil.example",
    ],
)
def test_a_next_address_with_control_characters_goes_to_the_line_page(staff, target):
    staff.sign_in(EDITOR)
    response = staff.client.get(f"/staff/ui/en?next={target}")
    assert response.status_code == 302
    assert response.location.endswith("/staff/line")
    assert "x=1" not in str(response.headers)


def test_a_plain_next_address_is_kept(staff):
    staff.sign_in(EDITOR)
    response = staff.client.get("/staff/ui/en?next=/staff/audit")
    assert response.status_code == 302 and response.location.endswith("/staff/audit")


@pytest.mark.parametrize(
    "page,status",
    [("1", 200), ("2", 404), ("99999999999999999999999", 404), ("-5", 200), ("abc", 200)],
)
def test_audit_log_pages_beyond_the_last_are_not_found(staff, page, status):
    staff.sign_in(EDITOR)
    assert staff.client.get(f"/staff/audit?page={page}").status_code == status


@pytest.mark.parametrize(
    "first,last",
    [("9999-12-31", ""), ("0001-01-01", ""), ("2026-12-30", "9999-12-31"), ("1999-12-31", "")],
)
def test_closures_at_the_ends_of_the_calendar_are_refused(staff, db, first, last):
    staff.sign_in(EDITOR)
    response = staff.post(
        "/staff/line/closures", {"first_day": first, "last_day": last, "reason": "end of time"}
    )
    assert response.status_code == 400  # refused next to the form (issue 12)
    assert 'id="closure-form-error"' in response.get_data(as_text=True)
    assert "Closure" not in response.get_data(as_text=True)
    with db.session() as s:
        assert s.scalar(select(func.count(Closure.id))) == 0
    page = staff.client.get("/staff/line").get_data(as_text=True)
    assert "end of time" not in page


def test_staff_pages_warn_while_webhooks_are_unsigned(app_settings):
    dev = create_app(
        {
            **app_settings,
            "TWILIO_AUTH_TOKEN": "",
            "ALLOW_UNSIGNED_WEBHOOKS": "1",
            "SESSION_COOKIE_SECURE": "0",
        }
    )
    page = dev.test_client().get("/staff/sign-in").get_data(as_text=True)
    assert f'<p class="unsigned-banner" role="alert">{says("banner.unsigned")}</p>' in page


def test_no_warning_while_webhooks_are_signed(client):
    page = client.get("/staff/sign-in").get_data(as_text=True)
    assert "unsigned-banner" not in page and says("banner.unsigned") not in page
