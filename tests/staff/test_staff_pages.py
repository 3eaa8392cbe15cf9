"""Small things a coordinator notices: sign-in errors by their field, whom to contact, the
icon, prompts named in the staff's words."""

from __future__ import annotations

from staff_support import says


def test_empty_sign_in_fields_say_so_each_by_its_own_field(client, accounts):
    from staff_support import Staff, says

    staff = Staff(client)
    response = client.post(
        "/staff/sign-in", data={"csrf_token": staff.token(), "email": "", "password": ""}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="message error"' not in page  # nothing at the top of the page
    assert page.count(says("err.required")) == 2
    assert 'id="email-error"' in page and 'aria-describedby="email-error"' in page
    assert 'aria-describedby="password-error"' in page
    assert f'<p class="help" id="sign-in-help">{says("sign_in.contact")}</p>' in page


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
            says("group.start"),
            says("seg.greeting"),
            says("group.menu"),
            says("seg.part", topic=says("topic.rights"), n=1),
            says("group.person"),
            says("seg.goodbye"),
        )
    ]
    assert order == sorted(order)
    assert says("seg.with_key", name=says("seg.lang_select"), digit=3) in page
