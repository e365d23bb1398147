import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.browser


def test_login_page_renders_in_chinese_and_logs_in(live_server, page, township, make_user):
    make_user("wang", township_id=township)
    page.goto(f"{live_server}/login")
    assert "管理登录" in page.text_content("h1")
    login(page, live_server, "wang")
    assert not page.url.endswith("/login")
