#!/usr/bin/env python3
"""Generate a synthetic sitegen cluster for benchmarking.

    python bench/synth.py OUT_DIR --departments D --pages P [--seed N] [--force]

Writes OUT_DIR/site.yaml, OUT_DIR/departments/dNN.yaml and
OUT_DIR/content/{portal,dNN}/<column>/<slug>.md (plus a few small attachment
files under <column>/files/).  Exactly P .md files are written in total: a few
portal pages, one 机构职能 page per department, and the rest spread unevenly
over the departments' gzdt / tzgg / zcwj / zcjd columns; on top of those, each
department's 政府信息公开 guide and rules (xxgk/zn.md, xxgk/zd.md) and the 索引号
ledger of its policy documents, numbered as `sitegen disclosure assign` would.

The output depends only on (departments, pages, seed).  Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import sys
import time

# ---------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code


def uscc_check(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code(rng: random.Random) -> str:
    """A 9-character GB 11714 organisation code (8 digits + check)."""
    body = "0" + "".join(rng.choice("0123456789") for _ in range(7))
    c = 11 - sum(int(d) * w for d, w in zip(body, ORG_WEIGHTS)) % 11
    return body + ("X" if c == 10 else "0" if c == 11 else str(c))


def uscc(rng: random.Random, division: str = "339900") -> str:
    """统一社会信用代码 of a 机关 (registration authority 1, type 1)."""
    first17 = "11" + division + org_code(rng)
    return first17 + uscc_check(first17)


def valid_uscc(code: str) -> bool:
    return (len(code) == 18 and all(c in USCC_CHARSET for c in code)
            and uscc_check(code[:17]) == code[17])


# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

CITY = "临江市"
CITY_DOC = "临"  # prefix of 文号

# (name, short_name, 文号 abbreviation, domain topics, 主题分类)
DEPARTMENTS = [
    ("临江市发展和改革委员会", "市发展改革委", "临发改", ["重大项目建设", "扩大有效投资", "价格监测", "社会信用体系建设", "区域协调发展", "粮食安全保障"], "国民经济管理、国有资产监管"),
    ("临江市经济和信息化局", "市经信局", "临经信", ["制造业高质量发展", "专精特新企业培育", "数字经济", "工业互联网", "技术改造", "中小企业服务"], "工业、交通"),
    ("临江市教育局", "市教育局", "临教", ["义务教育优质均衡", "学前教育普及普惠", "“双减”工作", "校园安全", "职业教育产教融合", "教师队伍建设"], "科技、教育"),
    ("临江市科学技术局", "市科技局", "临科", ["科技创新平台建设", "高新技术企业培育", "科技成果转化", "科技特派员", "研发费用加计扣除", "创新券"], "科技、教育"),
    ("临江市民政局", "市民政局", "临民", ["养老服务体系建设", "社会救助", "社区治理", "慈善事业", "婚姻登记", "殡葬改革"], "民政、扶贫、救灾"),
    ("临江市司法局", "市司法局", "临司", ["法治政府建设", "公共法律服务", "人民调解", "普法宣传", "行政复议", "合法性审查"], "公安、安全、司法"),
    ("临江市财政局", "市财政局", "临财", ["预算绩效管理", "专项资金管理", "政府采购", "直达资金监管", "国有资产管理", "政府债务管理"], "财政、金融、审计"),
    ("临江市人力资源和社会保障局", "市人力社保局", "临人社", ["稳就业", "技能人才培养", "社会保险扩面", "根治欠薪", "人才引进", "职称评审"], "劳动、人事、监察"),
    ("临江市自然资源和规划局", "市自然资源规划局", "临自然资规", ["国土空间规划", "耕地保护", "不动产登记", "土地节约集约利用", "地质灾害防治", "测绘地理信息"], "国土资源、能源"),
    ("临江市生态环境局", "市生态环境局", "临环", ["蓝天保卫战", "碧水保卫战", "土壤污染防治", "环境影响评价", "碳达峰碳中和", "生态环境执法"], "城乡建设、环境保护"),
    ("临江市住房和城乡建设局", "市住房城乡建设局", "临建", ["城市更新", "老旧小区改造", "保障性住房", "物业管理", "建筑市场监管", "城市燃气安全"], "城乡建设、环境保护"),
    ("临江市交通运输局", "市交通运输局", "临交", ["综合交通体系", "农村公路建设", "公交优先", "道路运输安全", "港航发展", "交通执法"], "工业、交通"),
    ("临江市水利局", "市水利局", "临水", ["防汛防台", "河湖长制", "水资源管理", "农村饮用水", "水利工程建设", "水土保持"], "农业、林业、水利"),
    ("临江市农业农村局", "市农业农村局", "临农", ["乡村振兴", "高标准农田建设", "粮食生产", "农村人居环境整治", "农产品质量安全", "农业社会化服务"], "农业、林业、水利"),
    ("临江市商务局", "市商务局", "临商务", ["外贸稳增长", "消费促进", "招商引资", "跨境电商", "商贸流通", "会展经济"], "旅游、服务业"),
    ("临江市文化广电旅游局", "市文化广电旅游局", "临文旅", ["文旅融合", "公共文化服务", "文物保护", "旅游市场整治", "非物质文化遗产保护", "全域旅游"], "文化、广电、新闻出版"),
    ("临江市卫生健康委员会", "市卫生健康委", "临卫健", ["公立医院改革", "基层医疗卫生服务", "疾病预防控制", "家庭医生签约", "托育服务", "健康临江建设"], "卫生、体育"),
    ("临江市退役军人事务局", "市退役军人事务局", "临退役", ["退役军人就业创业", "优待抚恤", "双拥共建", "退役军人服务保障体系", "烈士纪念设施管理", "褒扬纪念"], "民政、扶贫、救灾"),
    ("临江市应急管理局", "市应急管理局", "临应急", ["安全生产", "危险化学品监管", "应急救援能力建设", "森林防灭火", "防灾减灾", "应急预案管理"], "市场监管、安全生产监管"),
    ("临江市审计局", "市审计局", "临审", ["审计监督", "经济责任审计", "政策跟踪审计", "审计整改", "投资审计", "数据审计"], "财政、金融、审计"),
    ("临江市市场监督管理局", "市市场监管局", "临市监", ["食品安全", "市场主体登记", "知识产权保护", "特种设备安全", "产品质量监督", "价格监督检查"], "市场监管、安全生产监管"),
    ("临江市统计局", "市统计局", "临统", ["统计调查", "经济普查", "统计执法", "统计数据质量", "统计信息发布", "统计服务"], "国民经济管理、国有资产监管"),
    ("临江市医疗保障局", "市医保局", "临医保", ["医保基金监管", "医保支付方式改革", "药品集中带量采购", "长期护理保险", "医保经办服务", "异地就医结算"], "卫生、体育"),
    ("临江市数据资源管理局", "市数据资源局", "临数据", ["数字政府", "一网通办", "公共数据开放", "政务云", "数据安全", "城市大脑"], "国民经济管理、国有资产监管"),
    ("临江市公安局", "市公安局", "临公", ["平安临江建设", "电信网络诈骗治理", "交通安全管理", "户籍制度改革", "出入境管理", "治安防控体系"], "公安、安全、司法"),
    ("临江市林业局", "市林业局", "临林", ["森林资源保护", "国土绿化", "林长制", "古树名木保护", "野生动植物保护", "林业产业发展"], "农业、林业、水利"),
    ("临江市体育局", "市体育局", "临体", ["全民健身", "竞技体育", "体育产业", "体育场馆开放", "青少年体育", "体育赛事"], "卫生、体育"),
    ("临江市城市管理局", "市城市管理局", "临城管", ["垃圾分类", "市容环境整治", "城市照明", "违法建设治理", "数字城管", "园林绿化"], "城乡建设、环境保护"),
    ("临江市信访局", "市信访局", "临信访", ["信访工作法治化", "矛盾纠纷化解", "领导干部接访", "网上信访", "信访积案化解", "12345热线"], "其他"),
    ("临江市政务服务管理办公室", "市政务办", "临政务", ["营商环境", "一件事一次办", "政务服务标准化", "帮办代办", "跨省通办", "好差评"], "国民经济管理、国有资产监管"),
]

ACCENTS = ["blue", "teal", "green", "indigo", "red", "brown"]

GENERAL_TOPICS = [
    "数字政府", "营商环境", "一网通办", "专项资金", "项目申报", "智慧城市", "乡村振兴", "城市更新",
    "安全生产", "生态环境保护", "就业创业", "科技创新", "中小企业发展", "现代服务业", "文旅融合",
    "养老服务", "公共服务均等化", "政务公开", "法治政府建设", "信用体系建设", "招商引资", "消费促进",
    "共同富裕", "基层治理", "数字化改革", "人才工作", "民生实事", "碳达峰碳中和", "防汛防台",
    "食品安全", "优化营商环境", "减税降费", "惠企政策直达", "放管服改革", "项目审批制度改革",
    "重大项目攻坚", "安全隐患排查整治", "作风建设", "清廉机关建设", "政务服务增值化改革",
    "未来社区建设", "城乡融合发展", "山海协作", "区域一体化", "新型城镇化", "公共数据共享",
]

SUBJECTS = [
    "各区县（市）人民政府", "市级各部门", "各乡镇（街道）", "各有关单位", "各级各部门", "各成员单位",
    "相关企业", "各责任单位", "市直各单位", "各区县（市）主管部门", "各牵头部门", "各属地政府",
]

ACTIONS = [
    "深入推进", "扎实推进", "加快推进", "全面落实", "持续深化", "统筹推进", "着力提升", "不断完善",
    "稳步实施", "大力支持", "切实加强", "积极探索", "进一步优化", "建立健全", "系统推进", "全力保障",
    "认真贯彻", "协同推进", "有序开展", "全面推行", "加快构建", "持续巩固", "巩固拓展", "聚焦聚力",
]

OBJECTS = [
    "体制机制", "工作机制", "制度体系", "服务体系", "监管体系", "政策体系", "要素保障", "基础设施",
    "公共服务", "数据共享", "协同联动", "标准规范", "考核评价机制", "长效机制", "风险防控体系",
    "闭环管理", "全链条服务", "应用场景", "数字化平台", "责任体系", "督查检查", "资金保障",
    "示范创建", "试点工作", "队伍建设", "宣传引导", "绩效评价", "信息化支撑",
]

GOALS = [
    "推动经济社会高质量发展", "不断增强群众获得感幸福感安全感", "持续提升企业满意度",
    "推进治理体系和治理能力现代化", "助力共同富裕示范建设", "为全市发展大局提供有力支撑",
    "切实维护人民群众生命财产安全", "打造一流营商环境", "加快建设现代化国际化城市",
    "让数据多跑路、群众少跑腿", "实现服务“零距离”", "守牢安全发展底线", "确保各项目标任务如期完成",
    "不断提升公共服务质量和水平", "推动各项政策落地见效", "形成比学赶超的良好氛围",
]

IMPORTANCE = [
    "贯彻落实党中央、国务院决策部署的重要举措", "推动高质量发展的内在要求",
    "保障和改善民生的重要抓手", "提升城市能级的关键环节", "优化营商环境的重要内容",
    "全市重点工作的重要组成部分", "建设人民满意服务型政府的必然要求",
]

MEETING_VERBS = ["会议指出", "会议强调", "会议要求", "会议认为", "与会人员一致认为"]

DISTRICTS = [
    "江城区", "滨湖区", "东港区", "西岭区", "北塘区", "青溪县", "云台县", "安平县", "石门市",
    "临江高新区", "临江经济技术开发区", "南浦新区",
]

PLATFORMS = [
    "临江市政务服务网", "“临江通”APP", "临江市惠企政策直达平台", "市一体化政务服务平台",
    "临江市公共资源交易网", "市项目管理系统", "市财政专项资金管理系统",
]

TARGETS = [
    "企业", "项目", "市场主体", "社会组织", "科研机构", "中小微企业", "新型农业经营主体",
    "规模以上工业企业", "高新技术企业", "专业合作社", "个体工商户", "社区（村）",
]

SUPPORT = ["补助", "奖励", "贴息", "资金支持", "一次性补贴", "以奖代补", "专项扶持"]

# (verb, object, unit, low, high): 累计投入资金12.5亿元, 共受理申请3200件, ...
COUNTS = [
    ("累计投入", "资金", "亿元", 2, 180), ("下达", "专项资金", "万元", 50, 9800),
    ("共受理", "办件", "件", 50, 12000), ("累计办理", "审批事项", "件", 30, 8000),
    ("共培育", "企业", "家", 5, 900), ("新增", "市场主体", "户", 100, 20000),
    ("累计建成", "示范点", "个", 3, 300), ("新建改造", "道路", "公里", 5, 600),
    ("共排查", "隐患", "处", 20, 5000), ("累计服务", "群众", "人次", 200, 60000),
    ("实施", "重点项目", "项", 3, 260), ("筹集", "保障性住房", "套", 100, 8000),
    ("开展", "培训", "场次", 5, 400), ("完成", "整改", "项", 10, 900),
]

STRIVE = ["力争", "确保", "到年底前", "计划", "预计"]

DOC_KINDS = [
    ("实施方案", "通知"), ("管理办法", "通知"), ("若干政策措施", "通知"), ("实施细则", "通知"),
    ("工作方案", "通知"), ("三年行动计划（{y}—{y2}年）", "通知"), ("专项规划（{y}—{y2}年）", "通知"),
    ("考核办法", "通知"), ("资金管理办法", "通知"), ("应急预案", "通知"),
]

GENRES_OTHER = ["意见", "办法", "规定", "决定", "通告", "公告", "细则"]

SECTION_NUMS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]

PROGRESS = ["取得阶段性成效", "取得积极进展", "实现良好开局", "跑出加速度", "再上新台阶", "成效明显"]

INNER_UNITS = ["办公室", "政策法规处", "综合规划处", "财务审计处", "行政审批处", "监督管理处",
               "科技信息处", "人事处", "机关党委", "执法监督处", "宣传教育处", "安全监管处"]

DUTY_PREFIX = ["贯彻执行", "负责", "拟订并组织实施", "组织开展", "指导协调", "承担", "监督管理",
               "统筹推进", "参与拟订", "负责组织"]

# ---------------------------------------------------------------------------
# YAML helpers (the output is read by PyYAML in sitegen)
# ---------------------------------------------------------------------------

_PLAIN_BAD_START = set("-?:,[]{}#&*!|>'\"%@`~ ")
_PLAIN_SPECIAL = re.compile(r"^(?:[-+]?[0-9._:]+|true|false|yes|no|on|off|null|y|n)$", re.I)


def yq(s: str) -> str:
    """A YAML scalar: plain when that is unambiguous, else a JSON string."""
    if (not s or s[0] in _PLAIN_BAD_START or s[-1] == " " or ": " in s or " #" in s
            or s.endswith(":") or "\n" in s or _PLAIN_SPECIAL.match(s)):
        return json.dumps(s, ensure_ascii=False)
    return s


def yflow_list(items) -> str:
    return "[" + ", ".join(yq(i) for i in items) + "]"


# ---------------------------------------------------------------------------
# Generator
# ---------------------------------------------------------------------------


class Page:
    __slots__ = ("owner", "column", "kind", "slug", "title", "date", "has_time",
                 "topic", "extra")

    def __init__(self, owner, column, kind, slug, title, date, has_time, topic):
        self.owner = owner
        self.column = column
        self.kind = kind
        self.slug = slug
        self.title = title
        self.date = date
        self.has_time = has_time
        self.topic = topic
        self.extra = {}

    def path(self):
        return f"content/{self.owner}/{self.column}/{self.slug}.md"


def relpath(src: Page, dst: Page) -> str:
    if src.owner == dst.owner:
        if src.column == dst.column:
            return f"{dst.slug}.md"
        return f"../{dst.column}/{dst.slug}.md"
    return f"../../{dst.owner}/{dst.column}/{dst.slug}.md"


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


class Synth:
    DATE_START = dt.datetime(2019, 1, 2, 8, 0)
    DATE_END = dt.datetime(2025, 6, 30, 18, 0)

    def __init__(self, departments: int, pages: int, seed: int):
        self.n_depts = departments
        self.n_pages = pages
        self.seed = seed
        self.rng = random.Random(seed)
        self.depts = []      # list of dicts
        self.pages = []      # list[Page]
        self.by_dept_policies = {}
        self.attachments = []  # (relpath-from-root, text)
        self.serial = 0
        self.slug_width = max(5, len(str(pages)))
        self._span = int((self.DATE_END - self.DATE_START).total_seconds() // 60)

    # ---- small helpers ---------------------------------------------------

    def rdate(self, after: dt.datetime | None = None) -> dt.datetime:
        r = self.rng
        if after is not None:
            d = after + dt.timedelta(days=r.randint(1, 20), minutes=r.randint(0, 600))
            return min(d, self.DATE_END)
        # skew towards recent years: sqrt of a uniform variable
        frac = r.random() ** 0.6
        d = self.DATE_START + dt.timedelta(minutes=int(frac * self._span))
        # office hours, whole minutes
        return d.replace(hour=r.randint(8, 18), minute=r.randint(0, 59))

    def new_slug(self, d: dt.datetime) -> str:
        self.serial += 1
        return f"{d:%Y%m%d}-{self.serial:0{self.slug_width}d}"

    def count(self):
        """e.g. 累计投入资金12.5亿元"""
        verb, obj, unit, lo, hi = self.rng.choice(COUNTS)
        v = self.rng.randint(lo, hi)
        return f"{verb}{obj}{v / 10:.1f}{unit}" if unit == "亿元" else f"{verb}{obj}{v}{unit}"

    def topic_for(self, dept):
        r = self.rng
        if dept is None or r.random() < 0.3:
            return r.choice(GENERAL_TOPICS)
        return r.choice(dept["topics"])

    # ---- sentences -------------------------------------------------------

    def sentence(self, topic: str, who: str) -> str:
        """One sentence; self.year is the year of the page being written and
        self.meeting says whether meeting phrases (会议指出…) fit."""
        r = self.rng
        y = self.year
        k = r.randrange(14)
        if k == 2 and not self.meeting:
            k = 13
        if k == 0:
            return f"{r.choice(SUBJECTS)}要{r.choice(ACTIONS)}{topic}{r.choice(OBJECTS)}，{r.choice(GOALS)}。"
        if k == 1:
            return (f"{y}年以来，{who}围绕{topic}，{r.choice(ACTIONS)}{r.choice(OBJECTS)}，"
                    f"{self.count()}，同比增长{r.randint(2, 45)}.{r.randint(0, 9)}%。")
        if k == 2:
            return f"{r.choice(MEETING_VERBS)}，{topic}是{r.choice(IMPORTANCE)}，要{r.choice(ACTIONS)}{r.choice(OBJECTS)}。"
        if k == 3:
            return f"下一步，{who}将{r.choice(ACTIONS)}{topic}{r.choice(OBJECTS)}，{r.choice(ACTIONS)}{r.choice(OBJECTS)}，{r.choice(GOALS)}。"
        if k == 4:
            return f"据统计，全市{self.count()}，其中{r.choice(DISTRICTS)}{self.count()}。"
        if k == 5:
            return (f"对符合条件的{r.choice(TARGETS)}，按照不超过项目总投资{r.randint(10, 50)}%的比例给予{r.choice(SUPPORT)}，"
                    f"单个项目最高不超过{r.choice([50, 100, 200, 300, 500, 1000])}万元。")
        if k == 6:
            return f"{r.choice(STRIVE)}{topic}{r.choice(OBJECTS)}覆盖率达到{r.randint(60, 98)}%以上，{r.choice(GOALS)}。"
        if k == 7:
            return f"坚持问题导向和目标导向，{r.choice(ACTIONS)}{r.choice(OBJECTS)}，{r.choice(ACTIONS)}{r.choice(OBJECTS)}，推动{topic}工作{r.choice(PROGRESS)}。"
        if k == 8:
            return f"{r.choice(DISTRICTS)}{r.choice(ACTIONS)}{topic}，探索形成“{r.choice(OBJECTS)}+{r.choice(OBJECTS)}”工作模式，相关经验做法在全市推广。"
        if k == 9:
            return f"依托{r.choice(PLATFORMS)}，{r.choice(ACTIONS)}{r.choice(OBJECTS)}，实现{topic}相关事项“一网通办”“掌上可办”。"
        if k == 10:
            return f"{r.choice(SUBJECTS)}要压紧压实主体责任，{r.choice(ACTIONS)}{r.choice(OBJECTS)}，确保{topic}各项任务落到实处。"
        if k == 11:
            return f"加强{r.choice(OBJECTS)}和{r.choice(OBJECTS)}，{r.choice(ACTIONS)}{topic}，{r.choice(GOALS)}。"
        if k == 12:
            return f"截至{y}年{self.month}月底，{self.count()}，完成年度目标的{r.randint(60, 130)}%。"
        return f"要{r.choice(ACTIONS)}{r.choice(OBJECTS)}，{r.choice(ACTIONS)}{r.choice(OBJECTS)}，以{topic}的新成效{r.choice(GOALS)}。"

    def paragraph(self, topic, who, lo=2, hi=5) -> str:
        return "".join(self.sentence(topic, who) for _ in range(self.rng.randint(lo, hi)))

    def bullet_list(self, topic, who, ordered=None) -> str:
        r = self.rng
        n = r.randint(3, 6)
        ordered = r.random() < 0.5 if ordered is None else ordered
        lines = []
        for i in range(n):
            s = self.sentence(topic, who)
            lines.append(f"{i + 1}. {s}" if ordered else f"- {s}")
        return "\n".join(lines)

    def table(self, topic, who) -> str:
        r = self.rng
        kind = r.randrange(3)
        if kind == 0:
            head = ["序号", "重点任务", "牵头单位", "完成时限"]
            rows = [[str(i + 1), f"{r.choice(ACTIONS)}{self.topic_for(None)}{r.choice(OBJECTS)}",
                     r.choice(self.depts)["short_name"], f"{r.randint(2024, 2026)}年{r.randint(1, 12)}月"]
                    for i in range(r.randint(3, 8))]
        elif kind == 1:
            head = ["区县（市）", "目标任务", "已完成", "完成率"]
            rows = []
            for d in r.sample(DISTRICTS, r.randint(3, 7)):
                a = r.randint(20, 400)
                b = r.randint(a // 2, a)
                rows.append([d, str(a), str(b), f"{b * 100 / a:.1f}%"])
        else:
            head = ["序号", "项目名称", "申报单位", "拟支持金额（万元）"]
            rows = [[str(i + 1), f"{r.choice(DISTRICTS)}{self.topic_for(None)}项目",
                     f"临江{r.choice(['智能', '数联', '绿源', '华宇', '恒通', '启明', '安泰', '新锐'])}"
                     f"{r.choice(['科技', '环保', '制造', '信息', '农业', '物流'])}有限公司",
                     str(r.randint(10, 500))]
                    for i in range(r.randint(3, 10))]
        out = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
        out += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(out)

    def link_sentence(self, page: Page) -> str | None:
        """A sentence linking to another existing page."""
        r = self.rng
        for _ in range(4):
            t = r.choice(self.pages)
            if t is not page:
                break
        else:
            return None
        href = relpath(page, t)
        title = t.title
        if t.kind == "policy" and not title.startswith("《"):
            return f"具体要求详见[{title}]({href})。"
        return r.choice([
            f"相关情况可参阅[{title}]({href})。",
            f"有关内容详见[{title}]({href})。",
            f"（相关链接：[{title}]({href})）",
        ])

    # ---- bodies ------------------------------------------------------------

    def body(self, page: Page, dept) -> str:
        r = self.rng
        target = int(r.triangular(300, 2000, 650))
        who = dept["short_name"] if dept else "市政府"
        topic = page.topic
        self.year = page.date.year
        self.month = max(1, page.date.month - 1)
        self.meeting = page.kind == "news"
        blocks = []
        size = 0

        def add(text):
            nonlocal size
            blocks.append(text)
            size += len(text)

        kind = page.kind
        if kind == "page":
            return self.page_body(page, dept)

        if kind == "news":
            d = page.date
            add(f"{d.month}月{d.day}日，{who}召开{topic}工作推进会，{r.choice(ACTIONS)}{r.choice(OBJECTS)}。"
                + self.paragraph(topic, who, 1, 3))
            while size < target:
                x = r.random()
                if x < 0.08:
                    add(self.bullet_list(topic, who))
                elif x < 0.12:
                    add(self.table(topic, who))
                else:
                    add(self.paragraph(topic, who))
        elif kind == "notice":
            add(f"{r.choice(SUBJECTS)}、{r.choice(SUBJECTS)}：")
            add(f"为{r.choice(ACTIONS)}{topic}{r.choice(OBJECTS)}，根据有关工作部署，现就有关事项通知如下。")
            heads = r.choice([["申报条件", "支持方向", "申报材料", "评审程序", "工作要求"],
                              ["工作目标", "工作安排", "时间安排", "工作要求", "其他事项"],
                              ["公示内容", "公示时间", "有关说明"]])
            for i, head in enumerate(heads):
                if size >= target and i >= 2:
                    break
                add(f"## {SECTION_NUMS[i]}、{head}")
                x = r.random()
                if x < 0.3:
                    add(self.bullet_list(topic, who, ordered=True))
                elif x < 0.4:
                    add(self.table(topic, who))
                else:
                    add(self.paragraph(topic, who, 2, 6))
            while size < target:
                add(self.paragraph(topic, who, 2, 6))
            add(f"申报单位应当于{cn_date(page.date.date() + dt.timedelta(days=r.randint(10, 40)))}前通过"
                f"{r.choice(PLATFORMS)}提交材料，逾期不予受理。联系电话：0599-8{r.randint(1000000, 9999999)}。")
            add(f"{dept['name'] if dept else '临江市人民政府办公室'}  \n{cn_date(page.date.date())}")
        elif kind == "policy":
            add(f"{r.choice(SUBJECTS)}：")
            add(f"为{r.choice(ACTIONS)}{topic}，{r.choice(GOALS)}，结合我市实际，制定本{page.extra['genre_noun']}。")
            heads = ["总体要求", "主要目标", "重点任务", "保障措施", "组织实施"]
            for i, head in enumerate(heads):
                if size >= target and i >= 3:
                    break
                add(f"## {SECTION_NUMS[i]}、{head}")
                if head == "重点任务":
                    for j in range(r.randint(2, 4)):
                        add(f"### （{SECTION_NUMS[j]}）{r.choice(ACTIONS)}{self.topic_for(dept)}")
                        add(self.paragraph(topic, who))
                        if size > target:
                            break
                elif r.random() < 0.15:
                    add(self.table(topic, who))
                elif r.random() < 0.25:
                    add(self.bullet_list(topic, who))
                else:
                    add(self.paragraph(topic, who, 2, 6))
            while size < target:
                add(self.paragraph(topic, who, 2, 6))
            if r.random() < 0.06:
                blocks[-1] += "[^1]"
                add(f"[^1]: 本{page.extra['genre_noun']}所称“{topic}”，是指{r.choice(ACTIONS)}{r.choice(OBJECTS)}的相关工作。")
            add(f"本{page.extra['genre_noun']}自{cn_date(page.date.date() + dt.timedelta(days=30))}起施行，"
                f"有效期{r.choice([2, 3, 5])}年。")
        elif kind == "interpretation":
            pol = page.extra["policy"]
            ref = f"《{pol.extra['genre_noun']}》"
            add(f"近日，{who}印发了[{pol.extra['short_title']}]({relpath(page, pol)})"
                f"（以下简称{ref}）。现就有关内容解读如下。")
            heads = ["起草背景", "主要内容", "政策亮点", "适用范围", "实施保障"]
            n_sec = 0
            for h in heads:
                if size >= target and n_sec >= 2:
                    break
                add(f"## {SECTION_NUMS[n_sec]}、{h}")
                n_sec += 1
                if h == "主要内容":
                    add(f"{ref}共分为{r.randint(4, 8)}个部分，主要包括以下内容：")
                    add(self.bullet_list(topic, who, ordered=True))
                else:
                    add(self.paragraph(topic, who, 2, 6))
            while size < target:
                add(self.paragraph(topic, who, 2, 6))
            add(f"## {SECTION_NUMS[n_sec]}、解读机关及联系方式")
            add(f"解读机关：{dept['name']}；解读人：{r.choice(INNER_UNITS)}负责人；"
                f"联系电话：0599-8{r.randint(1000000, 9999999)}。")

        # a link to some other page now and then
        if r.random() < 0.18:
            s = self.link_sentence(page)
            if s:
                pos = r.randint(min(2, len(blocks)), len(blocks))
                blocks.insert(pos, s)
        return "\n\n".join(blocks) + "\n"

    def page_body(self, page: Page, dept) -> str:
        r = self.rng
        if dept is None:
            return page.extra["body"]
        blocks = ["## 主要职责 {: #zyzz }"]
        duties = []
        for i in range(r.randint(6, 12)):
            duties.append(f"{i + 1}. {r.choice(DUTY_PREFIX)}{r.choice(dept['topics'] + GENERAL_TOPICS)}"
                          f"相关{r.choice(['法律法规', '政策', '规划', '标准', '工作'])}，"
                          f"{r.choice(ACTIONS)}{r.choice(OBJECTS)}。")
        duties.append(f"{len(duties) + 1}. 完成市委、市政府交办的其他任务。")
        blocks.append("\n".join(duties))
        blocks.append("## 内设机构 {: #nsjg }")
        rows = ["| 处室 | 主要职能 | 联系电话 |", "| --- | --- | --- |"]
        for u in r.sample(INNER_UNITS, r.randint(5, 9)):
            rows.append(f"| {u} | {r.choice(DUTY_PREFIX)}{r.choice(dept['topics'])}有关工作 | 0599-8{r.randint(1000000, 9999999)} |")
        blocks.append("\n".join(rows))
        blocks.append("## 办公地址")
        blocks.append(f"{dept['contact']['address']}，邮编{dept['contact']['postcode']}。办公时间：{dept['contact']['hours']}。")
        return "\n\n".join(blocks) + "\n"

    # ---- titles ---------------------------------------------------------------

    def news_title(self, dept, topic, d):
        r = self.rng
        who = dept["short_name"] if dept else r.choice(["市政府", "市领导", "我市"])
        return r.choice([
            f"{who}召开{d.year}年{topic}工作会议",
            f"{who}赴{r.choice(DISTRICTS)}开展{topic}专题调研",
            f"{r.choice(DISTRICTS)}{topic}工作{r.choice(PROGRESS)}",
            f"我市{topic}工作获省级通报表扬",
            f"{who}举办{topic}业务培训班",
            f"{who}部署推进{topic}重点工作",
            f"{who}召开{topic}专题协调会",
            f"{topic}“{r.randint(3, 12)}件实事”进展顺利",
            f"{d.year}年上半年全市{topic}工作综述",
        ])

    def notice_title(self, topic, d):
        r = self.rng
        y = d.year
        return r.choice([
            f"关于开展{y}年度{topic}项目申报工作的通知",
            f"关于{y}年{topic}专项资金拟安排项目的公示",
            f"关于公布第{r.choice(SECTION_NUMS)}批{topic}示范单位名单的通知",
            f"关于举办{topic}专题培训班的通知",
            f"关于公开征求《临江市{topic}管理办法（征求意见稿）》意见的公告",
            (f"{y}年第{SECTION_NUMS[(d.month - 1) // 3 - 1]}季度{topic}“双随机、一公开”抽查结果公告"
             if d.month > 3 else f"{y - 1}年第四季度{topic}“双随机、一公开”抽查结果公告"),
            f"关于做好{y}年{topic}工作的通知",
            f"关于{topic}有关事项的补充通知",
        ])

    # ---- planning ---------------------------------------------------------------

    def make_departments(self):
        r = self.rng
        order = list(range(len(DEPARTMENTS)))
        for i in range(self.n_depts):
            base = DEPARTMENTS[order[i % len(DEPARTMENTS)]]
            name, short, abbr, topics, theme = base
            rnd = i // len(DEPARTMENTS)
            if rnd:  # more departments than templates: district-level bureaus
                if rnd <= len(DISTRICTS):
                    dist = DISTRICTS[rnd - 1]
                    name = name.replace("临江市", dist)
                    short = dist[:2] + short[1:]
                    abbr = dist[0] + abbr[1:]
                else:
                    name, short, abbr = f"{name}（{rnd}）", f"{short}（{rnd}）", f"{abbr}{rnd}"
            slug = f"d{i + 1:02d}"
            street = r.choice(["江滨大道", "市民路", "府前街", "人民路", "解放路", "钱塘路", "新华路", "文昌路"])
            self.depts.append({
                "slug": slug,
                "name": name,
                "short_name": short,
                "abbr": abbr,
                "topics": topics,
                "theme": theme,
                "code": uscc(r),
                "order": (i + 1) * 10,
                "accent": ACCENTS[i % len(ACCENTS)],
                "banner": f"{r.choice(ACTIONS)}{topics[0]}，{r.choice(GOALS)}" if r.random() < 0.7 else None,
                "intro": (f"{name}是{CITY}人民政府工作部门，主要负责{topics[0]}、{topics[1]}和{topics[2]}等工作。"
                          f"近年来，{short}{r.choice(ACTIONS)}{topics[3]}，{r.choice(GOALS)}。") if r.random() < 0.85 else None,
                "contact": {
                    "address": f"{CITY}{r.choice(DISTRICTS[:5])}{street}{r.randint(1, 999)}号",
                    "postcode": f"3399{r.randint(0, 99):02d}",
                    "phone": f"0599-8{r.randint(1000000, 9999999)}",
                    "email": f"{slug}@linjiang.gov.cn",
                    "hours": "工作日 8:30-12:00 14:00-17:30",
                },
            })

    def portal_counts(self):
        n_news = min(max(2, self.n_pages // 100), 400)
        n_notice = min(max(1, self.n_pages // 500), 100)
        return n_news, n_notice, 3  # about: lxwm, wzsm, sybz

    def plan(self):
        r = self.rng
        self.make_departments()
        n_news, n_notice, n_about = self.portal_counts()
        n_portal = n_news + n_notice + n_about
        dept_pages = self.n_pages - n_portal
        if dept_pages < self.n_depts * 5:
            raise SystemExit(f"--pages too small: need at least {self.n_depts * 5 + n_portal} "
                             f"for {self.n_depts} departments")

        # portal pages
        for _ in range(n_news):
            d = self.rdate()
            t = self.topic_for(None)
            self.add_page("portal", "zwyw", "news", self.news_title(None, t, d), d, t)
        for _ in range(n_notice):
            d = self.rdate()
            t = self.topic_for(None)
            self.add_page("portal", "tzgg", "notice", self.notice_title(t, d), d, t)
        self.portal_about()

        # one jgzn page per department, the rest spread unevenly
        rest = dept_pages - self.n_depts
        weights = [r.uniform(0.4, 1.6) for _ in range(self.n_depts)]
        shares = largest_remainder(rest, weights)
        for dept, share in zip(self.depts, shares):
            d = self.rdate()
            p = self.add_page(dept["slug"], "jgzn", "page", "机构职能", d, dept["topics"][0])
            p.has_time = False
            n_pol = max(1, round(share * 0.23))
            n_interp = max(1, round(share * 0.15))
            n_notice = max(1, round(share * 0.22))
            n_news = share - n_pol - n_interp - n_notice
            assert n_news >= 1, share
            self.plan_policies(dept, n_pol)
            for _ in range(n_news):
                d = self.rdate()
                t = self.topic_for(dept)
                self.add_page(dept["slug"], "gzdt", "news", self.news_title(dept, t, d), d, t)
            for _ in range(n_notice):
                d = self.rdate()
                t = self.topic_for(dept)
                self.add_page(dept["slug"], "tzgg", "notice", self.notice_title(t, d), d, t)
            # each policy gets at most one interpretation until all have one;
            # a second one gets a different kind of title (文字解读 / 图解)
            pols = r.sample(self.by_dept_policies[dept["slug"]], len(self.by_dept_policies[dept["slug"]]))
            for i in range(n_interp):
                pol = pols[i % len(pols)]
                d = self.rdate(after=pol.date)
                forms = [f"{pol.extra['short_title']}政策解读", f"一图读懂{pol.extra['short_title']}",
                         f"关于{pol.extra['short_title']}的解读"]
                k = i // len(pols)
                title = r.choice((forms[0], forms[2])) if k == 0 else forms[1] if k == 1 else f"{forms[0]}（{k}）"
                p = self.add_page(dept["slug"], "zcjd", "interpretation", title, d, pol.topic)
                p.extra["policy"] = pol
        assert len(self.pages) == self.n_pages, (len(self.pages), self.n_pages)

        # optional front matter, decided once the full page list exists
        self.meeting = False
        for p in self.pages:
            if p.kind == "page":
                continue
            self.year, self.month = p.date.year, max(1, p.date.month - 1)
            if r.random() < 0.55:
                p.extra["summary"] = self.sentence(p.topic, "我市")[:80]
            if r.random() < 0.5 or p.kind == "policy":   # a disclosure item always lists 主题词
                p.extra["keywords"] = list(dict.fromkeys([p.topic, r.choice(GENERAL_TOPICS)]))
            if p.kind in ("news", "notice") and r.random() < (0.3 if p.owner == "portal" else 0.03):
                p.extra["portal"] = True
            if p.kind in ("notice", "policy") and r.random() < 0.08:
                self.plan_attachments(p)

    def plan_policies(self, dept, n):
        r = self.rng
        pols = []
        counters = {}
        for _ in range(n):
            d = self.rdate()
            t = self.topic_for(dept)
            y = d.year
            x = r.random()
            if x < 0.6:
                kind, genre = r.choice(DOC_KINDS)
                kind = kind.format(y=y, y2=y + 2)
                abbr = f"临江市{t}{kind}"
                title = f"关于印发《{abbr}》的通知"
                short_title = f"《{abbr}》"
                genre_noun = kind.split("（")[0][-2:]
            else:
                genre = r.choice(GENRES_OTHER)
                verb = r.choice(["加快推进", "进一步加强", "深化", "全面推进", "规范"])
                abbr = f"关于{verb}{t}的{genre}"
                title = f"{dept['name']}{abbr}"
                short_title = f"《{abbr}》"
                genre_noun = genre
            counters[y] = counters.get(y, 0) + r.randint(1, 9)
            p = self.add_page(dept["slug"], "zcwj", "policy", title, d, t)
            written = (d - dt.timedelta(days=r.randint(0, 12))).date()
            p.extra.update({
                "abbr": abbr,
                "short_title": short_title,
                "genre_noun": genre_noun,
                "disclosure": {
                    "doc_number": f"{dept['abbr']}{r.choice(['发', '函', '规'])}〔{y}〕{counters[y]}号",
                    "written": written.isoformat(),
                    "topic": dept["theme"],
                    "genre": genre,
                    "validity": r.choices(["有效", "失效", "废止"], weights=[80, 12, 8])[0],
                    "invalid_from": (written + dt.timedelta(days=r.randint(180, 720))).isoformat(),
                },
            })
            pols.append(p)
        self.by_dept_policies[dept["slug"]] = pols

    def plan_attachments(self, p: Page):
        r = self.rng
        items = []
        for i in range(r.randint(1, 2)):
            if r.random() < 0.6:
                name = f"{p.slug}-fj{i + 1}.csv"
                rows = ["序号,项目名称,金额（万元）"]
                rows += [f"{j + 1},{self.topic_for(None)}项目,{r.randint(5, 500)}" for j in range(r.randint(3, 12))]
                text = "\n".join(rows) + "\n"
                items.append({"file": f"files/{name}", "title": f"附件{i + 1}：{p.topic}项目汇总表"})
            else:
                name = f"{p.slug}-fj{i + 1}.txt"
                text = self.paragraph(p.topic, "我市") + "\n"
                items.append(f"files/{name}")
            self.attachments.append((f"content/{p.owner}/{p.column}/files/{name}", text))
        p.extra["attachments"] = items

    def add_page(self, owner, column, kind, title, d, topic) -> Page:
        p = Page(owner, column, kind, self.new_slug(d), title, d, self.rng.random() < 0.9, topic)
        self.pages.append(p)
        return p

    def portal_about(self):
        # portal/about pages: fixed slugs, fixed bodies
        d = dt.datetime(2024, 1, 2, 9, 0)
        specs = [
            ("lxwm", "联系我们",
             "## 联系方式\n\n| 项目 | 内容 |\n| --- | --- |\n| 主办单位 | 临江市人民政府办公室 |\n"
             "| 承办单位 | 临江市数据资源管理局 |\n| 通讯地址 | 临江市江城区府前街1号 |\n| 邮政编码 | 339900 |\n"
             "| 联系电话 | 0599-88000000 |\n| 电子邮箱 | web@linjiang.gov.cn |\n\n"
             "网站内容方面的意见建议，请通过上述方式与我们联系；咨询投诉请拨打12345政务服务便民热线。\n"),
            ("wzsm", "网站声明",
             "## 版权声明\n\n本网站所载内容的版权属临江市人民政府所有，转载时请注明来源。\n\n"
             "## 免责声明\n\n本网站对所链接的外部网站内容不承担任何责任。\n\n"
             "## 隐私保护\n\n本网站不会收集访问者的个人身份信息，法律法规另有规定的除外。\n"),
            ("sybz", "使用帮助",
             "## 浏览建议\n\n- 建议使用主流浏览器的最新版本访问本网站。\n- 页面支持手机等移动终端浏览。\n\n"
             "## 信息检索\n\n在页面顶部的搜索框中输入关键词即可检索全站信息。"
             "政府信息公开内容可通过[联系我们](lxwm.md)页面所列方式咨询。\n"),
        ]
        for slug, title, body in specs:
            p = Page("portal", "about", "page", slug, title, d, False, "政务公开")
            p.extra["body"] = body
            self.pages.append(p)

    # ---- output -------------------------------------------------------------------

    def render_page(self, p: Page) -> str:
        dept = self.dept_by_slug.get(p.owner)
        fm = ["---", f"title: {yq(p.title)}",
              f"date: {p.date:%Y-%m-%d %H:%M}" if p.has_time else f"date: {p.date:%Y-%m-%d}"]
        e = p.extra
        if "summary" in e:
            fm.append(f"summary: {yq(e['summary'])}")
        if "keywords" in e:
            fm.append(f"keywords: {yflow_list(e['keywords'])}")
        if e.get("portal"):
            fm.append("portal: true")
        if "attachments" in e:
            fm.append("attachments:")
            for a in e["attachments"]:
                if isinstance(a, dict):
                    fm.append(f"  - {{file: {yq(a['file'])}, title: {yq(a['title'])}}}")
                else:
                    fm.append(f"  - {yq(a)}")
        if "disclosure" in e:
            fm.append("disclosure:")
            keys = ["index_no", "doc_number", "written", "topic", "genre", "validity"]
            if e["disclosure"]["validity"] != "有效":
                keys.append("invalid_from")
            for k in keys:
                v = e["disclosure"][k]
                fm.append(f"  {k}: {v if k in ('written', 'invalid_from') else yq(v)}")
        if "policy" in e:
            fm.append(f"interprets: {relpath(p, e['policy'])}")
        fm.append("---")
        return "\n".join(fm) + "\n" + self.body(p, dept)

    def site_yaml(self) -> str:
        return f"""\
name: 临江市人民政府
base_url: https://www.linjiang.gov.cn
description: 临江市人民政府门户网站（基准测试合成数据，种子 {self.seed}）
site_id_code: "3399000001"
icp: 浙ICP备20240001号
police_record: 浙公网安备33099902000001号
sponsor: 临江市人民政府办公室
organizer: 临江市数据资源管理局
contact: {{address: 临江市江城区府前街1号, postcode: "339900", phone: 0599-88000000, email: web@linjiang.gov.cn, hours: 工作日 8:30-12:00 14:00-17:30}}
theme: default
page_size: 20
contact_page: about/lxwm
columns:
  - {{slug: zwyw, title: 政务要闻, kind: news}}
  - {{slug: tzgg, title: 通知公告, kind: notice, aggregate: [notice]}}
  - {{slug: zcwj, title: 政策文件, kind: policy, aggregate: [policy]}}
  - {{slug: about, title: 关于本站, kind: page}}
"""

    def dept_yaml(self, d) -> str:
        c = d["contact"]
        out = [
            f"name: {yq(d['name'])}",
            f"short_name: {yq(d['short_name'])}",
            f"code: \"{d['code']}\"",
            f"order: {d['order']}",
            f"accent: {d['accent']}",
        ]
        if d["banner"]:
            out.append(f"banner: {yq(d['banner'])}")
        if d["intro"]:
            out.append(f"intro: {yq(d['intro'])}")
        out += [
            "contact:",
            f"  address: {yq(c['address'])}",
            f"  postcode: \"{c['postcode']}\"",
            f"  phone: {yq(c['phone'])}",
            f"  email: {yq(c['email'])}",
            f"  hours: {yq(c['hours'])}",
            "columns:",
            "  - {slug: gzdt, title: 工作动态, kind: news}",
            "  - {slug: tzgg, title: 通知公告, kind: notice}",
            "  - {slug: zcwj, title: 政策文件, kind: policy, disclosure: 法规文件}",
            "  - {slug: zcjd, title: 政策解读, kind: interpretation}",
            "  - {slug: jgzn, title: 机构职能, kind: page}",
        ]
        return "\n".join(out) + "\n"

    def number_items(self) -> dict[str, list[str]]:
        """索引号 as `sitegen disclosure assign` would give them: per department and year of 成文日期."""
        ledgers: dict[str, list[str]] = {}
        for d in self.depts:
            serials: dict[int, int] = {}
            rows = []
            items = [p for p in self.by_dept_policies.get(d["slug"], [])]
            for p in sorted(items, key=lambda p: (p.extra["disclosure"]["written"], p.date, p.path())):
                year = int(p.extra["disclosure"]["written"][:4])
                serials[year] = serials.get(year, 0) + 1
                number = f"{d['code']}/{year}-{serials[year]:05d}"
                p.extra["disclosure"]["index_no"] = number
                rows.append(f"{year}\t{serials[year]}\t{number}\t{p.path().split('/', 2)[2]}")
            ledgers[d["slug"]] = rows
        return ledgers

    def write(self, out_dir: str):
        self.dept_by_slug = {d["slug"]: d for d in self.depts}
        ledgers = self.number_items()
        for d in self.depts:
            folder = os.path.join(out_dir, "content", d["slug"], "xxgk")
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "index-numbers.tsv"), "w", encoding="utf-8", newline="\n") as f:
                f.write("".join(row + "\n" for row in ledgers[d["slug"]]))
            for name, title in (("zn", "政府信息公开指南"), ("zd", "政府信息公开工作制度")):
                with open(os.path.join(folder, f"{name}.md"), "w", encoding="utf-8", newline="\n") as f:
                    f.write(f"---\ntitle: {d['name']}{title}\ndate: 2024-01-02 09:00\n---\n"
                            + self.paragraph(d["theme"], d["name"]) + "\n")
        os.makedirs(os.path.join(out_dir, "departments"), exist_ok=True)
        with open(os.path.join(out_dir, "site.yaml"), "w", encoding="utf-8", newline="\n") as f:
            f.write(self.site_yaml())
        for d in self.depts:
            with open(os.path.join(out_dir, "departments", f"{d['slug']}.yaml"), "w",
                      encoding="utf-8", newline="\n") as f:
                f.write(self.dept_yaml(d))
        made = set()
        total_chars = 0
        for p in self.pages:
            rel = p.path()
            parent = os.path.dirname(rel)
            if parent not in made:
                os.makedirs(os.path.join(out_dir, parent), exist_ok=True)
                made.add(parent)
            text = self.render_page(p)
            total_chars += len(text)
            with open(os.path.join(out_dir, rel), "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
        for rel, text in self.attachments:
            parent = os.path.dirname(rel)
            if parent not in made:
                os.makedirs(os.path.join(out_dir, parent), exist_ok=True)
                made.add(parent)
            with open(os.path.join(out_dir, rel), "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
        return total_chars


def largest_remainder(total: int, weights) -> list[int]:
    """Split `total` into integer parts proportional to `weights`, each >= 4."""
    n = len(weights)
    base = 4
    spare = total - base * n
    s = sum(weights)
    raw = [spare * w / s for w in weights]
    parts = [int(x) for x in raw]
    left = spare - sum(parts)
    order = sorted(range(n), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[:left]:
        parts[i] += 1
    return [p + base for p in parts]


def generate(out_dir: str, departments: int, pages: int, seed: int = 1, force: bool = False,
             quiet: bool = False) -> dict:
    if departments < 1:
        raise SystemExit("--departments must be at least 1")
    if os.path.isdir(out_dir) and os.listdir(out_dir):
        if not force:
            raise SystemExit(f"{out_dir} is not empty (use --force to replace its "
                             "site.yaml, departments/ and content/)")
        for sub in ("content", "departments"):
            shutil.rmtree(os.path.join(out_dir, sub), ignore_errors=True)
        try:
            os.remove(os.path.join(out_dir, "site.yaml"))
        except FileNotFoundError:
            pass
    t0 = time.perf_counter()
    s = Synth(departments, pages, seed)
    s.plan()
    chars = s.write(out_dir)
    elapsed = time.perf_counter() - t0
    stats = {"departments": departments, "pages": len(s.pages), "attachments": len(s.attachments),
             "characters": chars, "seconds": round(elapsed, 2)}
    if not quiet:
        print(f"synth: wrote {len(s.pages)} pages ({len(s.attachments)} attachments, "
              f"{chars / 1e6:.1f}M characters) for {departments} departments "
              f"into {out_dir} in {elapsed:.1f}s", file=sys.stderr)
    return stats


def main(argv=None):
    ap = argparse.ArgumentParser(description="Generate a synthetic sitegen cluster.")
    ap.add_argument("out_dir")
    ap.add_argument("--departments", type=int, default=10)
    ap.add_argument("--pages", type=int, default=5000, help="total number of .md files")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", action="store_true",
                    help="replace an existing cluster in OUT_DIR")
    a = ap.parse_args(argv)
    generate(a.out_dir, a.departments, a.pages, a.seed, a.force)


if __name__ == "__main__":
    main()
