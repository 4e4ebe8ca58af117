"""Token endpoint, AGS and NRPS: what a tool with a valid, a foreign or a broken token gets."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.testing import FlaskClient

from lti_pathing.devplatform.services import LINEITEM, MEMBERSHIP_RO, RESULT_RO, SCORE
from tests.lti_pathing.devplatform.conftest import assertion, token_request

ALL = f"{LINEITEM} {SCORE} {RESULT_RO} {MEMBERSHIP_RO}"
BASE = "/api/lti/{client}/course-101"


def get_token(lms: FlaskClient, key: rsa.RSAPrivateKey, client_id: str, scope: str = ALL) -> str:
    response = lms.post("/token", data=token_request(key, client_id, scope))
    assert response.status_code == 200, response.text
    token: str = response.json["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_is_issued_for_a_valid_assertion(
    lms: FlaskClient, tool_key: rsa.RSAPrivateKey
) -> None:
    response = lms.post("/token", data=token_request(tool_key, "client-a", ALL))
    assert response.status_code == 200
    assert response.json["token_type"] == "bearer" and response.json["expires_in"] == 3600
    assert set(response.json["scope"].split()) == set(ALL.split())


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"aud": "http://localhost/elsewhere"}, "invalid_client"),
        ({"exp": 1}, "invalid_client"),
        ({"sub": "client-b"}, "invalid_client"),
        ({"iss": "nobody", "sub": "nobody"}, "invalid_client"),
        ({"jti": None}, "invalid_client"),
    ],
)
def test_token_refuses_a_bad_assertion(
    lms: FlaskClient, tool_key: rsa.RSAPrivateKey, changes: dict[str, Any], code: str
) -> None:
    response = lms.post("/token", data=token_request(tool_key, "client-a", ALL, **changes))
    assert response.status_code in (400, 401)
    assert response.json["error"] == code


def test_token_refuses_a_foreign_signature_and_a_replay(
    lms: FlaskClient, tool_key: rsa.RSAPrivateKey
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = lms.post("/token", data=token_request(other, "client-a", ALL))
    assert response.status_code == 401 and response.json["error"] == "invalid_client"
    form = token_request(tool_key, "client-a", ALL)
    assert lms.post("/token", data=form).status_code == 200
    assert lms.post("/token", data=form).status_code == 401
    bad = {**form, "grant_type": "password", "client_assertion": assertion(tool_key, "client-a")}
    assert lms.post("/token", data=bad).json["error"] == "unsupported_grant_type"


@pytest.mark.parametrize(
    "header", ["Bearer not-a-jwt", "Bearer a.b.c", "Bearer", "Basic abc", "Bearer x y", ""]
)
def test_a_malformed_bearer_gets_401_not_500(lms: FlaskClient, header: str) -> None:
    response = lms.get(
        BASE.format(client="client-a") + "/memberships", headers={"Authorization": header}
    )
    assert response.status_code == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_a_token_of_one_client_opens_nothing_of_another(
    lms: FlaskClient, tool_key: rsa.RSAPrivateKey
) -> None:
    token_a = get_token(lms, tool_key, "client-a")
    assert (
        lms.get(BASE.format(client="client-a") + "/lineitems", headers=bearer(token_a)).status_code
        == 200
    )
    response = lms.get(BASE.format(client="client-b") + "/lineitems", headers=bearer(token_a))
    assert response.status_code == 403


def test_a_token_without_the_scope_is_refused(
    lms: FlaskClient, tool_key: rsa.RSAPrivateKey
) -> None:
    token = get_token(lms, tool_key, "client-a", scope=MEMBERSHIP_RO)
    response = lms.post(BASE.format(client="client-a") + "/lineitems", headers=bearer(token),
                           json={"label": "Plan", "scoreMaximum": 10})  # fmt: skip
    assert response.status_code == 403


def test_line_item_score_and_results_round_trip(
    lms: FlaskClient, tool_key: rsa.RSAPrivateKey
) -> None:
    headers = bearer(get_token(lms, tool_key, "client-a"))
    base = BASE.format(client="client-a")
    body = {"label": "Career plan", "scoreMaximum": 100, "tag": "plan"}
    created = lms.post(base + "/lineitems", headers=headers, json=body)
    assert created.status_code == 201
    item_url = created.json["id"]
    path = item_url.removeprefix("http://localhost")
    assert lms.get(base + "/lineitems?tag=plan", headers=headers).json[0]["id"] == item_url
    assert lms.get(base + "/lineitems?tag=other", headers=headers).json == []
    score = {"userId": "dev-user-73566", "scoreGiven": 40, "scoreMaximum": 100,
             "activityProgress": "InProgress", "gradingProgress": "FullyGraded",
             "timestamp": "2026-01-01T10:00:00Z"}  # fmt: skip
    assert lms.post(path + "/scores", headers=headers, json=score).status_code == 200
    older = {**score, "scoreGiven": 10, "timestamp": "2025-01-01T10:00:00Z"}
    assert lms.post(path + "/scores", headers=headers, json=older).status_code == 409
    results = lms.get(path + "/results", headers=headers).json
    assert [(r["userId"], r["resultScore"], r["resultMaximum"]) for r in results] == [
        ("dev-user-73566", 40, 100)
    ]
    assert results[0]["scoreOf"] == item_url


@pytest.mark.parametrize(
    "body",
    [{"label": "", "scoreMaximum": 1}, {"label": "x", "scoreMaximum": 0}, {"label": "x"}, ["x"]],
)
def test_bad_line_items_are_refused(
    lms: FlaskClient, tool_key: rsa.RSAPrivateKey, body: Any
) -> None:
    headers = bearer(get_token(lms, tool_key, "client-a"))
    assert (
        lms.post(
            BASE.format(client="client-a") + "/lineitems", headers=headers, json=body
        ).status_code
        == 400
    )


def test_scores_for_strangers_or_without_progress_are_refused(
    lms: FlaskClient, tool_key: rsa.RSAPrivateKey
) -> None:
    headers = bearer(get_token(lms, tool_key, "client-a"))
    item = lms.post(BASE.format(client="client-a") + "/lineitems", headers=headers,
                       json={"label": "Plan", "scoreMaximum": 1}).json["id"]  # fmt: skip
    path = item.removeprefix("http://localhost") + "/scores"
    good = {"userId": "dev-user-73566", "activityProgress": "Completed",
            "gradingProgress": "FullyGraded", "timestamp": "2026-01-01T10:00:00Z"}  # fmt: skip
    assert lms.post(path, headers=headers, json={**good, "userId": "stranger"}).status_code == 422
    assert lms.post(path, headers=headers, json={**good, "activityProgress": ""}).status_code == 400
    assert lms.post(path, headers=headers, json={**good, "timestamp": "soon"}).status_code == 400


def test_memberships_page_with_link_next_to_the_end(
    lms: FlaskClient, tool_key: rsa.RSAPrivateKey
) -> None:
    headers = bearer(get_token(lms, tool_key, "client-a", MEMBERSHIP_RO))
    url = BASE.format(client="client-a") + "/memberships"
    seen = []
    pages = 0
    while url:
        response = lms.get(url, headers=headers)
        assert response.status_code == 200
        assert response.mimetype == "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
        seen += [m["user_id"] for m in response.json["members"]]
        assert response.json["context"]["id"] == "course-101"
        link = response.headers.get("Link", "")
        url = link.split(">")[0].removeprefix("<").removeprefix("http://localhost") if link else ""
        pages += 1
    assert pages == 3  # 5 people, page size 2
    assert seen == ["dev-user-73566", "dev-user-20478", "dev-user-75924", "dev-user-30201",
                    "dev-user-55501"]  # fmt: skip


def test_memberships_limit_role_filter_and_bad_paging(
    lms: FlaskClient, tool_key: rsa.RSAPrivateKey
) -> None:
    headers = bearer(get_token(lms, tool_key, "client-a", MEMBERSHIP_RO))
    url = BASE.format(client="client-a") + "/memberships"
    page2 = lms.get(url + "?limit=1&page=2", headers=headers)
    assert [m["user_id"] for m in page2.json["members"]] == ["dev-user-20478"]
    assert "page=3" in page2.headers["Link"] and "limit=1" in page2.headers["Link"]
    last = lms.get(url + "?limit=1&page=5", headers=headers)
    assert "Link" not in last.headers
    instructors = lms.get(url + "?role=Administrator", headers=headers).json["members"]
    assert [m["name"] for m in instructors] == ["Kwame Asante"]
    assert lms.get(url + "?page=two", headers=headers).status_code == 400
    assert lms.get(url + "?limit=0", headers=headers).status_code == 400


def test_memberships_as_canvas_writes_them_and_rlid(
    lms: FlaskClient, tool_key: rsa.RSAPrivateKey
) -> None:
    headers = bearer(get_token(lms, tool_key, "client-a", MEMBERSHIP_RO))
    url = BASE.format(client="client-a") + "/memberships"
    (kenji, *_) = lms.get(url, headers=headers).json["members"]
    assert kenji["lis_person_sourcedid"] == "E1029" and kenji["given_name"] == "Kenji"
    assert "message" not in kenji  # Canvas adds launch claims only with rlid
    with_link = lms.get(url + "?rlid=course-101", headers=headers).json["members"]
    (claims,) = with_link[0]["message"]
    assert claims["https://www.instructure.com/canvas_user_id"] == 73566
    assert claims["https://purl.imsglobal.org/spec/lti/claim/custom"]["canvas_user_id"] == "73566"
    assert "rlid=course-101" in lms.get(url + "?rlid=course-101", headers=headers).headers["Link"]
    refused = lms.get(url + "?rlid=someone-elses-link", headers=headers)
    assert refused.status_code == 400 and "rlid" in refused.json["message"]


def test_registration_shapes_differ_by_flavour(lms: FlaskClient) -> None:
    moodle = lms.get("/.well-known/openid-configuration/moodle")
    assert moodle.status_code == 200
    configuration = moodle.json["https://purl.imsglobal.org/spec/lti-platform-configuration"]
    assert configuration["messages_supported"] == [
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
    ]
    # Canvas wants the registration token on the configuration request too.
    assert lms.get("/.well-known/openid-configuration/canvas").status_code == 401
    token = lms.get("/register/start?flavour=canvas&tool_url=http://127.0.0.1:9/r").text
    assert "registration_token=" in token


def test_registration_endpoint_needs_the_token_and_a_sound_request(lms: FlaskClient) -> None:
    assert lms.post("/register/endpoint/moodle", json={}).status_code == 401
    page = lms.get("/register/start?flavour=moodle&tool_url=http://127.0.0.1:9/r").text
    token = page.split("registration_token=")[1].split('"')[0]
    bad = lms.post("/register/endpoint/moodle", json={"application_type": "web"},
                      headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert bad.status_code == 400 and "redirect_uris" in bad.json["error_description"]
