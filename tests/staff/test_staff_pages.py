"""Small things a coordinator notices: sign-in errors by their field, whom to contact, the
icon, prompts named in the staff's words."""

from __future__ import annotations


def test_empty_sign_in_fields_say_so_each_by_its_own_field(client, accounts):
    from staff_support import Staff

    staff = Staff(client)
    response = client.post(
        "/staff/sign-in", data={"csrf_token": staff.token(), "email": "", "password": ""}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="message error"' not in page  # nothing at the top of the page
    assert page.count("Fyll ut feltet.") == 2
    assert 'id="email-error"' in page and 'aria-describedby="email-error"' in page
    assert 'aria-describedby="password-error"' in page
    assert "Kontakt en administrator hos KOM" in page


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data


def test_prompts_are_named_and_grouped_in_call_order(staff):
    staff.sign_in()
    page = staff.client.get("/staff/prompts?lang=en").get_data(as_text=True)
    order = [
        page.index(name)
        for name in (
            "Start og språkvalg",
            "Velkomst",
            "Innledning og emnemeny",
            "Rettigheter og hjelp – del 1",
            "Snakke med KOM",
            "Avslutning",
        )
    ]
    assert order == sorted(order)
    assert "Språkvalg («trykk …») – tast 3" in page
