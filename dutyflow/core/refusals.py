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
