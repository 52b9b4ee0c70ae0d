"""Small inline fixture clusters: make_cluster(root, {path: text}) and a page() writer."""

from __future__ import annotations

import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SITE_YAML = """\
name: 测试市人民政府
base_url: https://www.example.gov.cn
description: 测试市人民政府门户网站
site_id_code: "3399000001"
icp: 浙ICP备20240001号-1
police_record: 浙公网安备33099902000001号
sponsor: 测试市人民政府办公室
organizer: 测试市数据资源管理局
contact: {address: 测试市人民路1号, phone: 0589-12345678, email: web@example.gov.cn}
page_size: 20
columns:
  - {slug: zwyw, title: 政务要闻, kind: news}
  - {slug: tzgg, title: 通知公告, kind: notice, aggregate: [notice]}
  - {slug: about, title: 关于本站, kind: page}
"""

DEPT_YAML = """\
name: 测试市经济和信息化局
short_name: 市经信局
code: 113399000020000548
accent: teal
contact: {address: 测试市人民路2号, phone: 0589-12345030}
columns:
  - {slug: gzdt, title: 工作动态, kind: news}
  - {slug: tzgg, title: 通知公告, kind: notice}
  - {slug: zcwj, title: 政策文件, kind: policy, disclosure: 法规文件}
  - {slug: zcjd, title: 政策解读, kind: interpretation}
"""


DISCLOSURE = """disclosure:
  index_no: "{number}"
  topic: 工业、交通
  genre: 通知
  written: {written}"""


def item(title: str = "测试文件", date: str = "2024-03-12 09:30", written: str = "2024-03-11",
         number: str | None = None, body: str = "正文。", extra: str = "") -> str:
    """A disclosure item's file; ``number`` None leaves out the 索引号 line; ``extra`` adds disclosure lines."""
    block = DISCLOSURE.format(number=number, written=written)
    if number is None:
        block = block.replace('  index_no: "None"\n', "")
    return f"---\ntitle: {title}\ndate: {date}\nkeywords: [测试]\n{block}\n{extra}---\n{body}\n"


# A 办事指南 of the default department (content/jxj/bsfw/); its blank form is files/form.pdf beside it.
GUIDE = """\
---
title: 工业企业技术改造项目备案
date: 2025-03-03 09:00
summary: 企业投资的技术改造项目实行备案管理。
guide:
  code: "330217006000"
  type: 行政确认
  audience: [法人]
  themes: [开办企业]
  events: []
  basis:
    - 《企业投资项目核准和备案管理条例》第三条
  conditions:
    - 在本市登记注册的企业
  materials:
    - {name: 项目备案申请表, form: 原件, copies: 1, required: true, sample: files/form.pdf}
    - {name: 营业执照, form: 复印件, copies: 1, required: false, note: 可通过数据共享获取}
  steps:
    - {name: 申请, detail: 登录投资项目在线审批监管平台填报。}
    - {name: 备案, detail: 信息齐全的即时备案。}
  legal_days: 5
  promised_days: 1
  fee: 不收费
  place: 测试市民中心三楼投资项目窗口
  hours: 工作日 8:30-12:00 14:00-17:30
  phone: 0589-12345031
  complaint_phone: "12345"
  result: 项目备案信息表
  delivery: [网上查询, 窗口领取]
  visits: 0
  online: https://www.zjzwfw.gov.cn/test/jxj/xmba
---
## 注意事项

备案信息发生较大变更的，应当及时告知备案机关。
"""


def page(title: str = "测试页面", date: str = "2024-03-12 09:30", body: str = "正文。", **fields: str) -> str:
    """A page file: front matter from the arguments (extra fields as raw YAML lines), then the body."""
    extra = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n{body}\n"


def make_cluster(root: Path, files: dict[str, str | bytes | None], *, defaults: bool = True) -> Path:
    """Write a small cluster: site.yaml and one department by default, then ``files`` on top.

    A value of None deletes a default file; bytes are written as they are.
    """
    base: dict[str, str | bytes | None] = {
        "site.yaml": SITE_YAML,
        "departments/jxj.yaml": DEPT_YAML,
        "content/portal/zwyw/first-news.md": page("市政府召开常务会议", "2024-05-01 10:00"),
        "content/jxj/xxgk/zn.md": page("测试市经济和信息化局政府信息公开指南", "2024-01-05 09:00", "指南正文。"),
        "content/jxj/xxgk/zd.md": page("测试市经济和信息化局政府信息公开工作制度", "2024-01-05 09:00", "制度正文。"),
    } if defaults else {}
    base.update(files)
    for rel, data in base.items():
        path = root / rel
        if data is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data) if data.startswith("\n") else data, encoding="utf-8")
    return root
