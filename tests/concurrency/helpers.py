"""What the concurrency tests share: reporters with tokens, HTTP clients, callables run at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from django.contrib.auth import get_user_model

from participants.choices import Role
from participants.models import Profile, ProvincialOffice
from participants.services import api_token_create


def reporter_of(office: ProvincialOffice, suffix: str = ""):
    """A new office reporter of `office` with a token."""
    user = get_user_model().objects.create_user(username=f"reporter-{office.pk}{suffix}", password=None)
    Profile.objects.create(user=user, role=Role.OFFICE_REPORTER, office=office)
    _, token = api_token_create(user=user, name="concurrency test")
    return user, token


class Client:
    """One client: its own HTTP session (connection pool) and token."""

    def __init__(self, base_url: str, token: str):
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.statuses: list[int] = []

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.session.request(method, self.base_url + path, timeout=60, **kwargs)
        self.statuses.append(response.status_code)
        return response

    def close(self):
        self.session.close()


def run_at_once(functions):
    """Run the callables in threads released together by a barrier; return their results in order."""
    barrier = threading.Barrier(len(functions))

    def call(function):
        barrier.wait(timeout=60)
        return function()

    with ThreadPoolExecutor(max_workers=len(functions)) as pool:
        return list(pool.map(call, functions))
