"""What an archived file is, from the words around it (link text, article title, file name).

Classification never reads the file: the crawler decides what to download before it has the
bytes, and the parser later states what the content says. Keeping both lets researchers see when a
portal's label and the document disagree.

A disclosure has a kind (`DISCLOSURE_KINDS`) and a scope (`SCOPES`): a department's (or unit's) own
budget, final accounts, 三公经费 or performance targets, or the government's own (本级 and 全县
budgets and final accounts, the budget report to the people's congress, the county's 三公经费).
What is about disclosures without being one (解读, 一图读懂, notices on doing the disclosure work,
audit reports, monthly execution figures) is ``other``.

A link says little on its own (``附件1.pdf``, ``下载``, a body's name in a 部门决算 list): what it
does not say is read from the page it stands on, the article's title or the column's name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit

DISCLOSURE_KINDS = frozenset({"budget", "final", "three_public", "performance"})
SCOPES = ("department", "government")
# What a link can point at: documents and the containers they come in (``.et`` is WPS's spreadsheet).
FILE_EXTENSIONS = frozenset(
    {".pdf", ".xls", ".xlsx", ".doc", ".docx", ".wps", ".et", ".zip", ".rar", ".7z", ".ofd", ".csv"}
)

# A year stands on its own: the 2023 inside a stamp like W020230215… or P020230215.pdf is a
# publication date, not a fiscal year.
_YEAR = re.compile(r"(?<!\d)(20[0-4]\d)(?!\d)")
_DRAFT = re.compile(r"草案")
_PERFORMANCE = re.compile(r"绩效目标|绩效评价|绩效自评|整体绩效|项目绩效|绩效报告")
_EVALUATION = re.compile(r"自评|评价")
_SPENT = re.compile(r"支出情况|使用情况|实际支出")
_THREE_PUBLIC = re.compile(r"三公|因公出国|公务接待费|公务用车购置")
_FINAL = re.compile(r"决算")
_BUDGET = re.compile(r"预算")
_DEPT_TABLES = re.compile(r"部门(?:预|决)算|单位(?:预|决)算")

# What makes a text about budgets something other than a disclosure of one. Checked once the
# disclosing body's name is taken out (审计局, 新闻出版局 and 退役军人事务局 publish budgets too).
_NOT_DISCLOSURE = re.compile(
    # explaining a disclosure: interpretations, infographics, Q&A, videos
    r"解读|一图|图解|读懂|看懂|图说|问答|答记者问|动漫|视频|"
    # doing the disclosure work: notices, plans, training, inspections, rules
    r"做好|公开工作|工作方案|工作要点|工作计划|工作总结|工作报告|实施方案|培训|座谈|"
    r"会议召开|召开.{0,12}会议|工作会|推进会|部署会|"
    r"自查|督查|专项检查|检查情况|检查结果|通报|考核|"
    r"关于(?:进一步)?(?:印发|报送|开展|编制|组织|加强|规范|转发|推进|落实|抓好)|"
    r"操作规程|管理办法|暂行办法|实施办法|实施细则|指导意见|实施意见|征求意见|"
    # audits of the budget, procurement, personnel, news
    r"审计(?:工作)?报告|审计结果|审计整改|审计查出|"
    r"招标|采购公告|采购意向|采购需求|采购结果|中标|成交|任免|人事|新闻|动态"
)
# Budget execution is the government's to report once a year; figures for a month, a quarter or a
# half-year are statistics news, and a department's own execution notes are not its disclosure.
_EXECUTION = re.compile(r"预算执行|执行情况|收支情况|收支完成")
_PERIODIC = re.compile(
    r"上半年|下半年|前三季度|季度|月报|月度|月份|\d{1,2}\s*[-—~～至到]\s*\d{1,2}\s*月|"
    r"\d{1,2}\s*月|[一二三四五六七八九十]{1,3}月|截至|截止"
)

# The government's own budgets and accounts, and reports on them.
_GOV_STRONG = re.compile(
    r"财政总?(?:预算|决算)|总(?:预算|决算)|(?:预算|决算)\s*[（(]?草案|预算调整|预算执行|政府(?:预算|决算)|"
    r"政府性债务|政府债务|全(?:省|市|县|区|州|盟|旗|镇|乡)|"
    r"(?:省|市|县|区|州|盟|旗|镇|乡)(?:本级|级)|本级财政|财政收支|关于.{0,30}决算.{0,8}的报告|预算报告|"
    r"人民代表大会|决议"
)
# Fund budgets are the government's when nothing names a department; a department's tables use the
# same words (一般公共预算财政拨款支出表), so these only count without a department in sight.
_GOV_FUNDS = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算|社会保险基金预算")
_DEPT_WORD = re.compile(r"部门|单位")
# A region's own name: 广东省, 茂名市电白区, 大厂回族自治县, 我省, 全市.
_REGION = re.compile(r"(?:省|市|县|区|州|盟|旗|自治区|自治州|自治县|新区|开发区|特区)$")
_GOVERNMENT_BODY = re.compile(r"(?:人民政府|政府)$")
# The finance office reports the government's accounts and publishes its own: its name alone tells neither.
_FINANCE_OFFICE = re.compile(r"财政(?:局|厅|部|委员会|委)$")

_LEADING_NOISE = re.compile(r"^(?:附件\s*\d*\s*[:：]?|关于(?:公开|公布|印发)?|\d+\s*[、.．]\s*)+")
# A body's name may end in a bracketed part saying which of its units publishes: 省委办公厅（本级）.
_UNIT_NOTE = r"(?:[（(][^）)\d]{1,12}[）)])?"
_DEPT_BEFORE_YEAR = re.compile(
    r"^(?P<dept>[^\d\s（(【\[:：]{2,40}?)" + _UNIT_NOTE + r"\s*20[0-4]\d\s*(?:年度|年)"
)
_DEPT_AFTER_YEAR = re.compile(
    r"20[0-4]\d\s*(?:年度|年)\s*(?P<dept>[^\d\s]{2,40}?)\s*(?:部门|单位)?(?:预算|决算|三公|绩效)"
)
# `县退役军人事务局关于公开2023年部门预算的说明`: the body speaks first, the year comes later
_DEPT_BEFORE_ABOUT = re.compile(r"^(?P<dept>[^\d\s（(【\[:：]{2,40}?)关于")
_DEPT_SUFFIX = re.compile(
    r"(局|委员会|委|办公室|办公厅|中心|院|所|厅|部|馆|站|队|会|社|校|学|政府|街道办事处)$"
)

# A link whose text is only a body's name (`共青团某县委员会`, `县妇联`, `第一中学`): in a list of
# disclosures it stands for that body's disclosure.
_BODY_SUFFIX = re.compile(
    r"(?:委员会|局|委|办公室|办公厅|办|中心|院|所|厅|部|馆|站|队|会|社|校|学|园|联|协|处|街道办事处)$"
)
# Words of a portal's own pages (navigation, services, notices), never part of a body's name.
_PORTAL_WORDS = re.compile(
    r"公开|信息|网站|平台|专栏|栏目|首页|动态|指南|公告|通知|政策|办事|互动|留言|查询|搜索|登录|注册|"
    r"我们|地图|声明|版|无障碍|更多|下载|附件|预算|决算|三公|绩效"
)
# Portal features named like bodies: 个人中心, 帮助中心, 新闻中心, …
_PORTAL_CENTRES = re.compile(
    r"^(?:个人|用户|帮助|新闻|数据|搜索|办事|消息|下载|会员|服务|互动|政务|应用|资料|文件|发布|视频|图片|在线|"
    r"客服|咨询|投诉|举报|安全)中心$"
)

# Text that names no document: 附件1, 下载, 点击下载, 查看附件, P020230215.pdf, 附件二.xlsx.
_GENERIC_WORDS = re.compile(
    r"附件|附表|下载|点击|点此|查看|打开|预览|浏览|阅读|原文|全文|文件|文档|详见|详情|此处|这里|请|链接|地址|"
    r"序号|第|个|号|[一二三四五六七八九十]"
)
_TITLE_SEPARATORS = re.compile(r"\s*[_|｜]\s*|\s+[-—–]+\s+|\s{2,}|\s*--+\s*")


@dataclass(frozen=True)
class Classification:
    """The crawler's reading of a link: kind, year, phase, department and scope when they can be told.

    ``scope`` is ``department`` or ``government`` for a disclosure (None otherwise); a government
    disclosure never has a ``department``.
    """

    doc_kind: str
    fiscal_year: int | None = None
    phase: str | None = None
    department: str | None = None
    title: str | None = None
    scope: str | None = None

    @property
    def is_disclosure(self) -> bool:
        return self.doc_kind in DISCLOSURE_KINDS


def _extension(name: str) -> str:
    name = name.lower().rstrip()
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def file_name_from_url(url: str) -> str:
    """The file a URL names, percent-decoded: a ``showname=``/``filename=`` query value, else any query
    value that is a file name (``file=a.docx``, ``path=/u/a.pdf``), else the last path segment without
    its ``;jsessionid=…`` parameters."""
    parts = urlsplit(url)
    for key in ("showname", "filename", "fileName", "name"):
        match = re.search(rf"(?:^|&){key}=([^&]+)", parts.query)
        if match:
            return unquote(match.group(1))
    for _, value in parse_qsl(parts.query, keep_blank_values=False):
        candidate = re.split(r"[/\\]", value)[-1]
        if _extension(candidate) in FILE_EXTENSIONS:
            return candidate
    return unquote(parts.path.rsplit("/", 1)[-1].split(";", 1)[0])


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def fiscal_year_of(text: str) -> int | None:
    """The fiscal year (2000-2049) a text names: the first year standing on its own, except that a
    report on one year's execution and the next year's draft (``2025年预算执行情况和2026年预算草案``)
    is about the draft's year."""
    text = unicodedata.normalize("NFKC", text or "")
    years = list(_YEAR.finditer(text))
    if not years:
        return None
    draft = _DRAFT.search(text)
    if draft:
        before = [m for m in years if m.start() < draft.start()]
        if before:
            return int(before[-1].group(1))
    return int(years[0].group(1))


@lru_cache(maxsize=4096)
def department_of(text: str) -> str | None:
    """The disclosing body from titles like ``邯郸市医疗保障局2022年部门预算公开``.

    Cached: deciding one link asks it of the same text several times (the decoy check, `kind_of`,
    the scope and `classify_link`'s own department).
    """
    text = _LEADING_NOISE.sub("", _normalise(text).replace(" ", ""))
    for pattern in (_DEPT_BEFORE_YEAR, _DEPT_AFTER_YEAR, _DEPT_BEFORE_ABOUT):
        match = pattern.search(text)
        if match:
            dept = match.group("dept").strip("：:、，,-—_ ")
            if _DEPT_SUFFIX.search(dept):
                return dept
    return None


def without_department(text: str) -> str:
    """The text, spaces removed, with the disclosing body's name taken out.

    Decoy words are checked on what is left: 退役军人事务局 holds 人事 and 新闻出版局 holds 新闻, and
    every county has such a bureau whose budgets must not pass for 人事任免 or news.
    """
    compact = _compact(text)
    department = department_of(compact) or body_name(compact)
    return compact.replace(department, "", 1) if department else compact


def _is_government_body(name: str | None) -> bool:
    return bool(name and _GOVERNMENT_BODY.search(name))


def _is_a_departments(body: str | None) -> bool:
    """A body that publishes only its own accounts: neither a government nor its finance office."""
    return bool(body) and not _is_government_body(body) and not _FINANCE_OFFICE.search(body or "")


def names_decoy(text: str) -> bool:
    """The text says it is something other than a disclosure: 解读, 一图读懂, a notice on doing the
    disclosure work, an audit report, a tender, 人事任免, news, a month's or a half-year's execution
    figures, or a department's own execution notes."""
    rest = without_department(text)
    if _NOT_DISCLOSURE.search(rest):
        return True
    if _EXECUTION.search(rest):
        if _PERIODIC.search(rest):
            return True
        if _DEPT_WORD.search(rest) or _is_a_departments(department_of(_compact(text))):
            return True
    return False


@lru_cache(maxsize=4096)
def kind_of(text: str) -> str:
    """``budget``, ``final``, ``three_public``, ``performance`` or ``other`` for a text."""
    if names_decoy(text):
        return "other"
    if _PERFORMANCE.search(text):
        return "performance"
    if _THREE_PUBLIC.search(text) and not _DEPT_TABLES.search(text):
        return "three_public"
    if _FINAL.search(text):
        return "final"
    if _BUDGET.search(text):
        return "budget"
    return "other"


def _subject(text: str) -> str:
    """What a title speaks of: the words before its first year (广东省 in 广东省2021年省级决算草案)."""
    compact = _LEADING_NOISE.sub("", unicodedata.normalize("NFKC", _compact(text)))
    match = _YEAR.search(compact)
    return compact[: match.start()] if match else ""


def scope_of(text: str, *, fallback: str | None = None) -> str | None:
    """``department`` or ``government`` when the words tell, else `fallback` (the page's scope).

    A department's disclosure says 部门/单位 or names a body; the government's says 本级, 全县,
    财政决算, 预算草案, 预算执行, ``关于…决算的报告``, or names only a region (广东省2023年决算). The
    finance bureau reports the government's accounts, so it does not make a text a department's.
    """
    compact = _compact(text)
    if not compact:
        return fallback
    if _DEPT_WORD.search(compact):
        return "department"
    body = department_of(compact) or body_name(compact)
    if _is_a_departments(body):
        return "department"
    if _GOV_STRONG.search(compact):
        return "government"
    subject = _subject(compact)
    if (subject and _REGION.search(subject)) or _is_government_body(body):
        return "government"
    if fallback is not None:
        return fallback
    if _GOV_FUNDS.search(compact):
        return "government"
    return None


def body_name(text: str) -> str | None:
    """The text when it is only a body's name (`共青团某县委员会`, `县妇联`, `某县第一中学（本级）`):
    no year, no disclosure or portal word, ending as bodies' names end. A government (`某县人民政府`)
    is a site's home, not a body publishing its own budget."""
    compact = _compact(text)
    name = re.sub(r"[（(][^）)]{1,12}[）)]$", "", compact)
    if not 2 <= len(name) <= 40 or re.search(r"[\dA-Za-z:：/.]", name):
        return None
    if not _BODY_SUFFIX.search(name) or _PORTAL_WORDS.search(name) or _PORTAL_CENTRES.match(name):
        return None
    if _is_government_body(name) or _NOT_DISCLOSURE.search(name):
        return None
    return name


def is_generic(text: str) -> bool:
    """The text names no document: 附件1, 附件.pdf, 下载, 点击下载, 查看附件, P020230215.pdf."""
    rest = unicodedata.normalize("NFKC", _compact(text))
    rest = re.sub(r"\.[A-Za-z0-9]{1,5}\b", "", rest)
    rest = _GENERIC_WORDS.sub("", rest)
    return not re.sub(r"[\W_A-Za-z0-9]", "", rest)


def _phase_of(text: str) -> str | None:
    """``final`` for 决算, execution and evaluations of a past year; ``budget`` for 预算 and targets."""
    if _FINAL.search(text) or _EXECUTION.search(text) or _EVALUATION.search(text):
        return "final"
    if _BUDGET.search(text) or "目标" in text:
        return "budget"
    return "final" if _SPENT.search(text) else None


@dataclass(frozen=True)
class _Reading:
    kind: str = "other"
    year: int | None = None
    department: str | None = None
    scope: str | None = None
    decoy: bool = False


_NO_READING = _Reading()


@lru_cache(maxsize=1024)
def _read_page(title: str) -> _Reading:
    """What a page's title (and heading) says: the first part that names a disclosure.

    Titles run ``article_column_site`` (`某局2023年部门决算_新闻中心_某县人民政府`): a decoy word in a
    part before the disclosure (`政策解读_部门预算`) makes the page a decoy; one after it (the site's
    新闻中心) does not.
    """
    for part in (p for p in _TITLE_SEPARATORS.split(_normalise(title)) if p):
        if names_decoy(part):
            return _Reading(decoy=True)
        kind = kind_of(part)
        if kind in DISCLOSURE_KINDS:
            scope = scope_of(part) or "department"
            department = department_of(part) if scope == "department" else None
            return _Reading(kind, fiscal_year_of(part), department, scope)
    return _NO_READING


def page_context(title: str, heading: str = "") -> str:
    """The words a page's links are read with: its title, or its heading when the title names no
    disclosure (a CMS whose ``<title>`` is only the site's name, the article's title in ``<h1>``).
    A title that names a decoy stays the context, whatever the heading says."""
    reading = _read_page(title)
    if reading.kind in DISCLOSURE_KINDS or reading.decoy or not heading:
        return title or heading
    return heading if _read_page(heading).kind in DISCLOSURE_KINDS else title


def page_kind(title: str) -> str:
    """The disclosure kind a page's title (article or column) names, else ``other``."""
    return _read_page(title).kind


def is_disclosure_column(title: str) -> bool:
    """The page is a list of disclosures (部门决算, 预决算公开, 2023年三公经费), not one body's article."""
    reading = _read_page(title)
    return reading.kind in DISCLOSURE_KINDS and reading.department is None


def classify_link(link_text: str, url: str, context_title: str = "") -> Classification:
    """Classify a link from its own text and file name, then the page it stands on.

    What the link says wins; what it leaves out comes from the page: an attachment named
    ``附件1.pdf`` in ``某局2023年部门决算`` is that body's 2023 final accounts, and a body's name in a
    部门决算 column is that body's final accounts. A link that names a decoy stays a decoy.
    """
    name = file_name_from_url(url)
    own = _normalise(f"{link_text} {name}")
    page = _read_page(context_title)
    generic = is_generic(own)
    kind = "other" if generic else kind_of(own)
    if kind == "other" and (generic or not names_decoy(own)):
        kind = page.kind
    year = (None if generic else fiscal_year_of(own)) or page.year
    phase = {"final": "final", "budget": "budget"}.get(kind)
    if kind in {"three_public", "performance"}:
        phase = _phase_of(own) or _phase_of(context_title.replace("预决算", "")) or "budget"
    scope = department = None
    if kind in DISCLOSURE_KINDS:
        body = body_name(link_text)
        if generic:
            scope = page.scope
        elif body:
            scope = "department"
        else:
            scope = scope_of(own, fallback=page.scope)
        scope = scope or "department"
        if scope == "department":
            department = department_of(link_text) or body or page.department or department_of(name)
    title = _normalise(link_text) or _normalise(context_title) or name or None
    return Classification(kind, year, phase, department, title, scope)


def classify_page(title: str) -> Classification:
    """Pages are archived as ``page``; year, phase, department and scope still help the catalog."""
    c = classify_link(title, "", "")
    return Classification("page", c.fiscal_year, c.phase, c.department, _normalise(title) or None, c.scope)
