"""Every sentence with which dutyflow refuses a person, in one place: the desk shows it and the
command line prints it, word for word. Plain Chinese, no command-line flags: a reviewer reads
these, and so does a branch secretary.

Each is a template filled with `str.format`; `tests/desk/test_desk_chinese.py` walks them all
and fails on any English sentence."""

from __future__ import annotations

# ----------------------------------------------------------------------------- logging in
WRONG_LOGIN = "姓名或密码错误"
ACCOUNT_LOCKED = "该账号因多次登录失败已暂时锁定，请于{until}后再试；如需提前解锁，请联系管理员"
ADDRESS_LIMITED = "本机登录失败次数过多，已暂停登录，请于{until}后再试"
LOGIN_BUSY = "登录请求过多，请稍后再试"
LOGIN_EXPIRED = ("请先登录：登录已过期或尚未登录，对 {document_id} 的决定尚未记录。登录后回到该文书，"
                 "您填写的内容已保留，确认后再提交即可")
DECISION_KEPT = "您在登录过期前对 {document_id} 的决定尚未记录，填写的内容已保留在下方，请核对后提交"

# ----------------------------------------------------------------------------- accounts
NAME_LENGTH = "审核人姓名须为1至100个字符"
PASSWORD_LENGTH = "密码至少须有{minimum}个字符"
ACCOUNT_EXISTS = "审核人“{name}”已登记；如需修改该账号，请由管理员使用替换登记"
NO_ACCOUNT = "没有名为“{name}”的审核人账号，请核对姓名（可列出全部审核人查看）"
ACCOUNT_KIND = "账号类型“{kind}”不存在，应为：{kinds}"
ACCOUNT_NEEDS_ORG = "党支部账号和直属党组织账号须写明所属党组织的组织编码"
ACCOUNT_UNKNOWN_ORG = "没有组织编码为 {org_code} 的党组织，请先导入组织信息或核对编码"
EMAIL_INVALID = "电子邮箱“{email}”格式不正确，应为“名称@单位邮件域名”的形式"

# ----------------------------------------------------------------------------- the portal and API
NEEDS_TOKEN = "请提供有效的接口令牌（由管理员为本账号生成）"
NOT_AN_ORGANIZATION = "该账号不是党组织账号，不能使用党组织的接口"
NOT_FOUND = "没有找到该内容，或不属于本组织"
NO_PDF = "该文书暂无可下载的版式文件，请联系发文机关"
FILE_TOO_LARGE = "文件“{name}”超过{limit}兆字节，请压缩或拆分后再上传"
FILE_TYPE = "文件“{name}”的内容不是版式文档、图片或文字处理文档，不能作为佐证材料，请转换后再上传"
TOO_MANY_FILES = "一次最多上传{limit}个文件"
COMPLETED_VALUE = "“是否完成”只能填“是”或“否”"
MEASURES_NEEDED = "请填写整改措施"
LEDGER_NEEDED = "请填写{field}"
LEDGER_NOT_A_LIST = "{field}应为一个或多个会议类型"
LEDGER_TYPE = "{field}“{value}”不存在，应为：{choices}"
LEDGER_DATE = "{field}“{value}”不是有效日期，应写作如2026-10-09"
LEDGER_FUTURE = "{field} {value} 晚于今天（{today}），不能登记"
LEDGER_COUNT = "{field}应为不小于0的整数"
LEDGER_TOO_MANY = "{field} {value} 超过该组织{what} {limit}"
LEDGER_TOO_LONG = "{field}不能超过{limit}个字"
LEDGER_NO_FILES = "请选择要上传的会议记录或签到表文件"
LEDGER_FILE_KIND = "文件类别“{value}”不存在，应为：{choices}"
LEDGER_BAD_CELL = "{field}{reason}"  # the ingest's reason for the cell, after its header
LEDGER_CHOICES = "，应为：{choices}"
LEDGER_ITEM_TAKEN = "{field}“{value}”已在整改台账中，请更新该问题，或另行编号"
BAD_PERIOD = "期间“{period}”无法识别，应写作如2026-10（月）或2026（年度）"

# ----------------------------------------------------------------------------- decisions
NOT_A_REVIEWER = "“{name}”不是审核人：须先由管理员登记为审核人"
OWN_ORGANIZATION = "{name}属于{organization}，不能审核{subject}（本单位的文书须由他人决定）"
NEEDS_REVIEWER = "决定须写明审核人姓名"
REJECT_NEEDS_NOTE = "驳回须写明理由"
NO_DOCUMENT = "没有编号为 {document_id} 的文书，请核对编号"
NEEDS_COMMITTEE = ("{document_id} 须由工委会议集体决定：批准时须注明会议决定的文号，"
                   "如“工委会议纪要〔2026〕9号”")
ALREADY_ISSUED = "{document_id} 已于{issued_on}以{number}印发，印发的文书不再改变"
CHANGED_SINCE_SEEN = "{document_id} 在您阅看之后已有变化：现为“{status}”{who}，请刷新后重新审阅"
ALREADY_DECIDED = "{document_id} 已经是“{status}”{who}，无需重复决定"
ONLY_DRAFTS = "{document_id} 现为“{status}”，只有草稿可以审核"
DECIDED_BY = "（{reviewer}于{at}决定）"
CHOOSE_DECISION = "请选择批准或驳回"
NOTHING_CHOSEN = "没有选择任何文书"
ISSUE_NOT_CONFIRMED = "印发前请勾选“确认印发”：印发后文书编号、内容不可更改"
ISSUE_REFUSED = "未印发：{reason}"
NOT_RECORDED = "{document_id} 未记录：{reason}"

# ----------------------------------------------------------------------------- replies (闭环)
NO_CASE = "没有编号为 {case_id} 的案件，请核对编号"
NOT_AWAITING = "案件 {case_id} 现为“{status}”：只有已印发、要求反馈的措施才能登记反馈"
ALREADY_CLOSED = "案件 {case_id} 已销号，其经过见审核记录"
NO_SUCH_FILES = "找不到佐证材料文件：{files}"
REPLY_IN_FUTURE = "反馈日期 {received} 晚于今天（{today}），不能登记"
REPLY_BEFORE_ISSUE = "案件 {case_id} 于{issued_on}印发，{received}的反馈早于印发日期"
NO_REPLY_WAITING = "案件 {case_id} 没有待审核的反馈，请先登记反馈"
RETURN_NEEDS_NOTE = "退回须写明理由"
REPLY_CHANGED_SINCE_SEEN = ("案件 {case_id} 的整改反馈在您阅看之后已有变化{who}，"
                            "请刷新后重新审阅")
REPLY_SETTLED_BY = "：{reviewer}已于{at}{what}"
NO_SUCH_EVIDENCE = "没有这份佐证材料，请从案件页面重新打开"

# ------------------------------------------------------------- answer drafts (整改情况反馈草稿)
DRAFT_MISSING = "还没有保存的反馈草稿，请先填写并保存"
DRAFT_SUBMITTED = "该反馈已提交，正在等待审核，不能重复提交；如被退回，可修改后再次提交"
ITEM_UNKNOWN = "整改事项“{item}”不属于该案件"
ITEM_DONE_VALUE = "第{n}项“是否完成”只能选“是”或“否”"
ITEM_DONE_NEEDED = "请选择第{n}项是否完成"
ITEM_DATE_BAD = "第{n}项的完成日期不是有效日期：{value}"
ITEM_DATE_NEEDED = "第{n}项已完成，请填写完成日期"
ITEM_DATE_FUTURE = "第{n}项的完成日期 {value} 晚于今天"
ITEMS_FORMAT = "整改事项的格式不正确"
