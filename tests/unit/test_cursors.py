"""nextTokens are opaque and verified: only a token given out for this listing is taken back."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segue.service.cursors import Cursors
from segue.service.errors import BadRequestError

cursors = Cursors(lambda: "a key of the stack's own")
POSITION = {"pk": "EX#sm:e-1", "sk": "HEAD", "list_key": "2026-01-01T00:00:00.000Z#sm:e-1"}


def test_a_token_gives_back_its_position_in_its_own_listing():
    token = cursors.issue("executions", POSITION)
    assert token is not None and token.isascii()
    assert cursors.read("executions", token) == POSITION
    assert cursors.issue("executions", None) is None
    assert cursors.read("executions", None) is None


def test_a_token_of_another_listing_is_refused():
    token = cursors.issue('["executions", null, "order"]', POSITION)
    with pytest.raises(BadRequestError, match="another listing"):
        cursors.read('["executions", "FAILED", null]', token)


@given(st.integers(0, 200), st.characters(codec="ascii"))
def test_any_change_to_a_token_is_refused(at, char):
    token = cursors.issue("history", 17)
    assert token is not None
    tampered = token[: at % len(token)] + char + token[at % len(token) + 1 :]
    if tampered == token:
        return
    with pytest.raises(BadRequestError):
        cursors.read("history", tampered)


@pytest.mark.parametrize(
    "token",
    [
        base64.urlsafe_b64encode(json.dumps({"pk": "x"}).encode()).decode(),
        "eyJhIjoiYiJ9",
        "x" * 5000,
        "abc.é€",
        "." * 44,
        Cursors(lambda: "another stack").issue("history", 1),
    ],
)
def test_tokens_this_api_did_not_give_out_are_refused(token):
    with pytest.raises(BadRequestError, match="not one this API gave out"):
        cursors.read("history", token)


@given(st.text(max_size=300))
def test_any_text_as_a_token_is_a_bad_request_or_nothing(text):
    try:
        cursors.read("history", text)
    except BadRequestError:
        pass
