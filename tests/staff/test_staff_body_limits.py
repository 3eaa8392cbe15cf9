"""Only the recording upload takes megabytes; every other staff form is refused above 256 KB."""

from __future__ import annotations

import io

from staff_support import EDITOR, Staff, flashed, says

GREETING = "/staff/prompts/greeting/en"


def test_a_large_recording_upload_is_read(staff):
    staff.sign_in(EDITOR)
    noise = b"\0" * (3 * 1024 * 1024)  # 3 MB: over any form's limit, under the upload's
    response = staff.client.post(
        f"{GREETING}/upload",
        content_type="multipart/form-data",
        data={"csrf_token": staff.token(GREETING), "recording": (io.BytesIO(noise), "a.wav")},
    )
    # read and judged (not audio: refused next to the upload form), not refused unread (413)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert [text for category, text in flashed(page) if category == "field"]
    assert (
        'id="upload-form-error"' in page
        and says("upload.refused", name="a.wav", reason="")[:-1] in page
    )


def test_a_large_body_on_any_other_staff_form_is_refused(client, accounts):
    staff = Staff(client)
    response = client.post(
        "/staff/sign-in",
        data={"csrf_token": staff.token(), "email": "x" * (300 * 1024), "password": "x"},
    )
    assert response.status_code == 413
