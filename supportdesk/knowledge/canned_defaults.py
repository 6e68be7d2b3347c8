"""Canned replies that ship, in the guides' words (R-IN-3, R-KB-6); admins edit or extend
them. Loaded by migration 0006 into an empty table, so edits are never overwritten.

Each entry: (shortcut, kind, language, title, body). Variables in braces are filled from the
ticket when an agent inserts the reply (see ``knowledge.canned``).
"""

# ruff: noqa: E501 - the phrasing reads best unbroken

from typing import Any

SHIPPED: list[tuple[str, str, str, str, str]] = [
    # --- zh-hans: greetings and identity confirmation (开场白：标准问候语 + 确认用户身份) ---
    ("问候-电话", "greeting_phone", "zh-hans", "电话开场白",
     "您好，这里是技术支持，{agent_name}为您服务，请问有什么可以帮您？"),
    ("问候-在线", "greeting_chat", "zh-hans", "在线客服开场白",
     "您好，技术支持{agent_name}为您服务，请问有什么可以帮您？"),
    ("身份-电话", "identity_phone", "zh-hans", "电话确认身份",
     "为了保护您的账户安全，请问您是{organization}的{customer_name}吗？麻烦提供一下您的登记手机号后四位。"),
    ("身份-在线", "identity_chat", "zh-hans", "在线确认身份",
     "{customer_name}您好，为核实您的身份，请告诉我贵公司名称和您登记的邮箱，我们核对后马上为您处理。"),
    # --- zh-hans: plain-language explanations (通俗易懂，避免术语堆砌) ---
    ("解释-连接超时", "explanation", "zh-hans", "解释：数据库连接超时",
     "系统在读取数据时遇到了延迟，所以暂时无法加载页面。这不是您的操作问题，我们正在排查原因。"),
    ("解释-token", "explanation", "zh-hans", "解释：token 失效",
     "为了安全，系统的登录凭证每隔一段时间会自动过期。过期后需要重新登录一次，您的数据不会丢失。"),
    ("解释-缓存", "explanation", "zh-hans", "解释：清除浏览器缓存",
     "浏览器会保存旧版本的页面文件来加快打开速度，系统升级后这些旧文件可能导致页面显示异常，清除后浏览器会重新下载最新的文件。"),
    ("解释-兼容", "explanation", "zh-hans", "解释：浏览器不兼容",
     "IE11 是较老的浏览器，已经不支持系统用到的部分新功能，所以插件无法正常工作。建议改用 Chrome 或 Edge 打开系统。"),
    # --- zh-hans: reply templates (邮件：编号列举步骤) ---
    ("已受理", "template", "zh-hans", "已受理并告知预计时间",
     "{customer_name}您好：\n\n您的问题我们已经收到，工单号 {ticket_number}（{subject}）。\n工程师正在处理，预计在 {expected_time} 前给您答复。如有新的情况，请直接回复本工单。\n\n技术支持 {agent_name}"),
    ("收集信息", "template", "zh-hans", "请客户补充信息",
     "{customer_name}您好：\n\n为了尽快定位工单 {ticket_number} 的问题，请您协助提供以下信息：\n1. 问题发生的时间和频率\n2. 完整的报错截图（包含右下角时间）\n3. 操作系统和浏览器的版本\n4. 问题出现前是否进行过系统更新\n\n技术支持 {agent_name}"),
    ("解决步骤", "template", "zh-hans", "解决步骤与验证",
     "{customer_name}您好：\n\n关于工单 {ticket_number}，请按以下步骤操作：\n1. \n2. \n3. \n\n操作完成后，请您重新登录系统，尝试之前报错的操作，看是否还会出现同样的提示，并把结果告诉我们。\n\n技术支持 {agent_name}"),
    ("结束语", "closing", "zh-hans", "结束语与回访",
     "{customer_name}您好，工单 {ticket_number} 的问题已经处理完毕。如果后续再出现类似情况，欢迎随时联系我们。感谢您的耐心与配合！"),
    # --- en ---
    ("greet-phone", "greeting_phone", "en", "Phone greeting",
     "Hello, this is technical support, {agent_name} speaking. How can I help you?"),
    ("greet-chat", "greeting_chat", "en", "Chat greeting",
     "Hello, this is {agent_name} from technical support. How can I help you?"),
    ("identity-phone", "identity_phone", "en", "Confirm identity (phone)",
     "To keep your account safe, am I speaking with {customer_name} from {organization}? Could you tell me the last four digits of your registered phone number?"),
    ("identity-chat", "identity_chat", "en", "Confirm identity (chat)",
     "Hello {customer_name}, to confirm your identity please tell me your company name and the e-mail address you registered with."),
    ("explain-timeout", "explanation", "en", "Explain: database timeout",
     "The system was slow to read its data, so the page could not load for now. Nothing you did caused this; we are looking into it."),
    ("received", "template", "en", "Received, with expected time",
     "Dear {customer_name},\n\nWe have received your request {ticket_number} ({subject}). An engineer is working on it and will get back to you by {expected_time}.\n\nTechnical support, {agent_name}"),
    ("ask-data", "template", "en", "Ask for details",
     "Dear {customer_name},\n\nTo find the cause of {ticket_number} quickly, please send us:\n1. When the problem happens and how often\n2. A full screenshot of the error message\n3. Your operating system and browser versions\n\nTechnical support, {agent_name}"),
    ("closing", "closing", "en", "Closing",
     "Dear {customer_name}, request {ticket_number} is resolved. If it happens again, just reply to this ticket. Thank you for your patience!"),
]  # fmt: skip


def fill_shipped_canned_replies(model: Any) -> None:
    """Into an empty table only, so admins' edits are never overwritten."""
    if model.objects.exists():
        return
    model.objects.bulk_create(
        model(shortcut=shortcut, kind=kind, language=language, title=title, body=body,
              ordering=i)
        for i, (shortcut, kind, language, title, body) in enumerate(SHIPPED)
    )  # fmt: skip
