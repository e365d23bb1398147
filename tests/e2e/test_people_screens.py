"""Staff pages for people, organisation and import, driven in Chromium (with screenshots).

Screenshots land in ``$VILLAGECAST_SHOTS`` (default /tmp/shots-people) for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import login
from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import image_bytes

org = support.org  # a fixture: pytest finds it as a module attribute

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("VILLAGECAST_SHOTS", "/tmp/shots-people"))


def shot(page, name: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_editor_adds_a_cadre_with_photo_and_sees_errors_first(live_server, page, org, tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(image_bytes("JPEG", (900, 1200), colour=(90, 120, 160)))
    login(page, live_server, "editor_a")
    page.goto(f"{live_server}/cadres")
    shot(page, "cadres-list")
    page.get_by_role("link", name="新增干部").click()
    page.fill("#f-name", "王刚")
    page.fill("#f-post", "武装部长")
    page.fill("#f-phone", "1390000")  # too short
    page.check("text=李家沟村")
    page.get_by_role("button", name="保存").click()
    assert "手机号应为 11 位数字" in page.text_content("#e-phone")
    assert page.is_checked("text=李家沟村")  # the choice survives the error
    shot(page, "cadre-form-error")
    page.fill("#f-phone", "13900003333")
    page.set_input_files("#f-photo", str(photo))
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/cadres?*")
    assert "已保存干部“王刚”" in page.text_content("[role=alert]")
    row = page.locator("tr", has_text="王刚")
    assert "李家沟村" in row.text_content()
    assert row.locator("img.thumb").evaluate("img => img.naturalWidth") > 0
    shot(page, "cadres-list-after")


def test_staff_correct_a_report_from_the_board(live_server, page, org):
    login(page, live_server, "reviewer_a")
    page.goto(f"{live_server}/whereabouts")
    page.locator(f'tr[data-cadre="{org.cadre2}"]').get_by_role("link", name="代报").click()
    page.select_option("#f-status", "外出开会")
    page.fill("#f-place", "县委党校")
    page.fill("#f-start_time", "09:00")
    page.fill("#f-end_time", "17:00")
    page.fill("#f-activity", "乡村振兴培训")
    shot(page, "whereabouts-form")
    page.get_by_role("button", name="保存").click()
    row = page.locator(f'tr[data-cadre="{org.cadre2}"]')
    text = row.text_content()
    assert "外出开会" in text and "县委党校" in text and "09:00-17:00" in text and "代报" in text
    shot(page, "whereabouts-board-corrected")


def test_import_preview_shows_row_errors(live_server, page, org, tmp_path):
    bad = tmp_path / "名册.csv"
    bad.write_text("姓名,手机号,包村\n王刚,13900003333,张家村\n,123,火星村\n", encoding="gb18030")
    login(page, live_server, "editor_a")
    page.goto(f"{live_server}/imports/")
    shot(page, "imports-index")
    page.set_input_files("#file-cadres", str(bad))
    page.locator("#import-cadres").get_by_role("button", name="上传并预览").click()
    errors = page.locator("#errors").text_content()
    assert "第 3 行" in errors and "手机号" in errors and "火星村" in errors
    assert page.locator("input[name=token]").count() == 0
    shot(page, "imports-preview-errors")
    good = tmp_path / "good.csv"
    good.write_text("姓名,手机号,包村\n王刚,13900003333,张家村\n", encoding="utf-8-sig")
    page.goto(f"{live_server}/imports/")
    page.set_input_files("#file-cadres", str(good))
    page.locator("#import-cadres").get_by_role("button", name="上传并预览").click()
    shot(page, "imports-preview-ok")
    page.get_by_role("button", name="确认导入 1 行").click()
    page.wait_for_url("**/cadres?*")
    assert "已导入 1 行干部信息" in page.text_content("[role=alert]")


def test_import_of_an_office_sheet_asks_about_unknown_columns(live_server, page, org, tmp_path):
    """A sheet as the office keeps it: a title row, 联系电话/包联村, and a column of its own."""
    from openpyxl import Workbook

    book = Workbook()
    for row in (["黄土坪乡干部包村联系表"],
                ["序号", "姓名", "职务", "联系电话", "包联村", "挂钩事项"],
                [1, "王刚", "武装部长", 13900003333, "张家村", "森林防火、应急"]):
        book.active.append(row)
    sheet = tmp_path / "包村联系表.xlsx"
    book.save(sheet)
    login(page, live_server, "editor_a")
    page.goto(f"{live_server}/imports/")
    page.set_input_files("#file-cadres", str(sheet))
    page.locator("#import-cadres").get_by_role("button", name="上传并预览").click()
    assert "表头在第 2 行" in page.text_content("main")
    assert page.get_by_role("button", name="确认导入 1 行").count() == 0
    shot(page, "imports-preview-columns")
    page.get_by_label("挂钩事项").select_option(label="分管工作")
    page.get_by_role("button", name="确定，重新检查").click()
    row = page.locator("tr", has_text="王刚").text_content()
    assert "13900003333" in row and "张家村" in row and "森林防火、应急" in row
    page.get_by_role("button", name="确认导入 1 行").click()
    page.wait_for_url("**/cadres?*")
    assert "已导入 1 行干部信息" in page.text_content("[role=alert]")


def test_admin_organisation_pages(live_server, page, org, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(image_bytes("PNG", (600, 200), colour=(240, 190, 60)))
    login(page, live_server, "admin_a")
    page.goto(f"{live_server}/org/villages")
    shot(page, "org-villages")
    page.goto(f"{live_server}/org/channels/{org.a_channel}/edit")
    page.fill("#f-udp_url", "udp://239.1.1.1:1234")
    page.set_input_files("#f-logo", str(logo))
    shot(page, "org-channel-form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/org/channels?*")
    assert page.locator("td img").evaluate("img => img.naturalWidth") > 0
    shot(page, "org-channels")
    page.goto(f"{live_server}/org/users")
    shot(page, "org-users")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tr", has_text="editor_a").get_by_role("button", name="签发令牌").click()
    token = page.text_content("#secret").strip()
    assert len(token) > 30
    shot(page, "org-token-once")


def test_county_admin_townships(live_server, page, org):
    login(page, live_server, "county")
    page.goto(f"{live_server}/org/townships")
    assert "河口镇" in page.text_content("table")
    shot(page, "org-townships")
    page.goto(f"{live_server}/cadres?township_id={org.b}")
    assert "赵强" in page.text_content("table")
