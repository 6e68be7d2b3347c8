# ruff: noqa: C408, E501 - a data table reads best as keyword dicts on long lines
"""A fixed set of articles and tickets, and queries labelled with their relevant results.

Keys: ``A:name`` an article, ``T:name`` a ticket. A query may contain ``{T:name}``, replaced
by that ticket's number when the set is built (numbers are assigned at filing time).
"""

ARTICLES = {
    "db-timeout": dict(
        title="数据库连接超时的排查与处理",
        body="## 问题描述\n登录 ERP 时提示“数据库连接超时”，错误码 ERR_1024。\n\n## 原因分析\n"
        "数据库服务器防火墙未放行 1433 端口，或连接池耗尽。\n\n## 解决步骤\n1. 在服务器 "
        "10.0.0.12 上检查防火墙规则\n2. 调大连接池上限\n3. 重启应用服务",
        category="environment",
        keywords="数据库 超时 ERR_1024",
        synonyms="连不上, 无法连接, 连接失败",
        is_public=True,
    ),
    "printer-offline": dict(
        title="网络打印机显示脱机无法打印",
        body="## 问题描述\n打印任务一直排队，打印机状态显示脱机。\n\n## 解决步骤\n1. 检查打印机 IP "
        "地址是否变化\n2. 删除并重新添加打印机端口\n3. 重启 Print Spooler 服务",
        category="environment",
        keywords="打印机 脱机 打印",
        is_public=True,
    ),
    "login-locked": dict(
        title="账号被锁定无法登录",
        body="连续输错密码 5 次后账号会被锁定 30 分钟。管理员可在用户管理中解锁，或等待自动解锁。"
        "错误提示：ERR_2001 account locked。",
        category="configuration",
        keywords="登录 锁定 密码 ERR_2001",
        is_public=True,
    ),
    "cert-expired": dict(
        title="SSL 证书过期导致浏览器提示不安全",
        body="浏览器提示“您的连接不是私密连接”，NET::ERR_CERT_DATE_INVALID。需要在网关上更新证书，"
        "并重启 Nginx。",
        category="environment",
        keywords="证书 过期 https",
        is_public=True,
    ),
    "report-export-garbled": dict(
        title="报表导出 CSV 后 Excel 打开乱码",
        body="导出时选择 UTF-8 BOM 编码，或在 Excel 中通过“数据→自文本”导入并选择 UTF-8。",
        category="data",
        keywords="导出 乱码 编码 Excel",
        is_public=True,
    ),
    "slow-query": dict(
        title="系统响应缓慢的排查路径",
        body="## 排查路径\n1. 确认是全部用户还是个别用户变慢\n2. 查看服务器 CPU、内存、磁盘 IO\n"
        "3. 检查慢查询日志，为常用查询建立索引\n4. 检查网络延迟",
        category="environment",
        keywords="慢 卡顿 性能 响应时间",
        synonyms="卡顿, 很慢, 速度慢",
        is_public=True,
    ),
    "license-expired": dict(
        title="许可证到期后功能受限",
        body="许可证到期后系统进入只读模式，提示 LIC_EXPIRED。请联系销售续费后在“系统设置→授权”中"
        "导入新的许可证文件。",
        category="configuration",
        keywords="许可证 授权 到期 LIC_EXPIRED",
        is_public=True,
    ),
    "vpn-disconnect": dict(
        title="VPN 频繁断线的处理方法",
        body="VPN 客户端每隔几分钟断开。请升级客户端到 4.8.2 以上版本，并关闭网卡的节能模式。",
        category="environment",
        keywords="VPN 断线 网络",
        is_public=True,
    ),
    "mail-not-received": dict(
        title="收不到系统通知邮件",
        body="检查邮件网关的过滤规则与垃圾邮件箱；确认 SMTP 服务器 smtp.example.com 端口 465 可达。",
        category="configuration",
        keywords="邮件 通知 SMTP",
        is_public=True,
    ),
    "sync-failed": dict(
        title="移动端数据同步失败",
        body="手机 App 同步时提示“同步失败 0x80070005”，是因为本地缓存权限不足。清除 App 缓存后重新"
        "登录即可。",
        category="data",
        keywords="同步失败 App 手机 0x80070005",
        is_public=True,
    ),
    "backup-restore": dict(
        title="如何从备份恢复数据",
        body="在“系统维护→备份管理”中选择备份点，点击恢复。恢复前请通知所有用户退出系统。",
        category="data",
        keywords="备份 恢复 数据",
        is_public=True,
    ),
    "upgrade-521": dict(
        title="升级到 5.2.1 版本的注意事项",
        body="升级到 5.2.1 前必须先备份数据库；5.2.0 的自定义报表需要重新发布。",
        category="configuration",
        keywords="升级 版本 5.2.1",
        is_public=True,
    ),
    "white-screen": dict(
        title="页面白屏或加载不出来",
        body="清除浏览器缓存，使用 Chrome 100 以上版本；检查是否被安全软件拦截了脚本。",
        category="environment",
        keywords="白屏 浏览器 缓存",
        is_public=True,
    ),
    "password-reset": dict(
        title="Resetting a forgotten password",
        body="Users can reset their password from the login page with the 'Forgot password' "
        "link. Administrators can also reset passwords in user management.",
        category="configuration",
        keywords="password reset login",
        is_public=True,
    ),
    "api-rate-limit": dict(
        title="API requests rejected with HTTP 429",
        body="The API allows 100 requests per minute per token. Clients exceeding the limit "
        "receive HTTP 429 Too Many Requests; retry after the Retry-After header.",
        category="configuration",
        keywords="API rate limit 429",
        is_public=True,
    ),
    "scanner-driver": dict(
        title="Barcode scanners not detected after Windows update",
        body="After a Windows update the USB barcode scanners stop working. Reinstall the "
        "scanner driver version 2.3 and reconnect the devices.",
        category="environment",
        keywords="scanner driver windows usb",
        is_public=True,
    ),
    "internal-db-failover": dict(
        title="数据库主备切换操作手册（内部）",
        body="仅限二线工程师：主库故障时执行主备切换，切换后检查复制延迟。",
        category="environment",
        keywords="主备切换 数据库 故障",
        is_public=False,
    ),
    "permission-denied": dict(
        title="提示没有权限访问该功能",
        body="用户角色未授予该菜单权限。请管理员在“角色管理”中勾选对应功能权限，用户重新登录后生效。",
        category="configuration",
        keywords="权限 角色 菜单",
        is_public=True,
    ),
    "invoice-amount": dict(
        title="发票金额与订单金额不一致",
        body="当订单含折扣时，发票金额按折后计算。若仍不一致，请检查税率设置是否为 13%。",
        category="data",
        keywords="发票 金额 税率",
        is_public=True,
    ),
    "timezone-wrong": dict(
        title="系统显示的时间比实际慢 8 小时",
        body="服务器时区被设置为 UTC。请在个人设置中选择 Asia/Shanghai 时区，或修改服务器时区。",
        category="configuration",
        keywords="时区 时间 UTC",
        is_public=True,
    ),
}

TICKETS = {
    "erp-db-timeout": dict(
        subject="ERP 登录报数据库连接超时",
        description="今天早上开始所有人登录 ERP 都提示数据库连接超时 ERR_1024，服务器地址 10.0.0.12。",
        solution="防火墙策略更新后 1433 端口被关闭，已重新放行。",
    ),
    "printer-finance": dict(
        subject="财务部打印机无法打印",
        description="财务部的网络打印机显示脱机，打印任务一直在排队。",
        solution="打印机 IP 变更，重新添加端口后恢复。",
    ),
    "locked-account": dict(
        subject="账户被锁，登录提示 ERR_2001",
        description="销售王经理登录时提示 ERR_2001，账号被锁定。",
        solution="管理员已解锁账号。",
    ),
    "slow-monthend": dict(
        subject="月底结账时系统非常卡",
        description="每到月底结账，系统响应很慢，打开凭证要等一分钟。",
        solution="为凭证表增加索引，并调整结账任务到夜间执行。",
    ),
    "export-garbled": dict(
        subject="导出的报表是乱码",
        description="从报表中心导出 CSV，用 Excel 打开中文全是乱码。",
    ),
    "vpn-home": dict(
        subject="居家办公 VPN 老是断",
        description="在家用 VPN 连接公司系统，十分钟左右就断一次，客户端版本 4.7.0。",
        solution="升级 VPN 客户端到 4.8.2。",
    ),
    "app-sync": dict(
        subject="手机 App 同步失败",
        description="仓库同事用手机盘点，同步时报错 0x80070005。",
    ),
    "cert-warning": dict(
        subject="浏览器提示证书不安全",
        description="访问系统时 Chrome 提示 NET::ERR_CERT_DATE_INVALID，证书好像过期了。",
        solution="已更新网关证书。",
    ),
    "upgrade-question": dict(
        subject="升级 5.2.1 后自定义报表打不开",
        description="昨晚从 5.2.0 升级到 5.2.1，自定义报表全部打不开。",
        solution="重新发布自定义报表。",
    ),
    "scanner-win": dict(
        subject="Scanners stopped working after Windows update",
        description="All USB barcode scanners in the warehouse are not detected since the "
        "Windows update last night. Serial SN-2024-AB12.",
        solution="Reinstalled scanner driver 2.3.",
    ),
    "api-429": dict(
        subject="Integration gets HTTP 429 errors",
        description="Our nightly integration job receives 429 Too Many Requests after a few "
        "hundred calls.",
    ),
    "invoice-diff": dict(
        subject="开出的发票金额不对",
        description="订单金额 1130 元，发票金额 1000 元，差了税额。",
        solution="税率设置错误，已改为 13%。",
    ),
    "time-8h": dict(
        subject="工单时间显示不对，差了 8 个小时",
        description="系统里显示的创建时间比实际时间早 8 小时。",
    ),
    "perm-menu": dict(
        subject="新员工看不到采购菜单",
        description="新入职的采购专员登录后没有采购菜单，提示没有权限。",
        solution="给用户分配采购员角色。",
    ),
    "mail-missing": dict(
        subject="审批通知邮件收不到",
        description="审批流程走完后申请人收不到通知邮件，SMTP 服务器 smtp.example.com。",
    ),
    "white-page": dict(
        subject="打开系统首页一片空白",
        description="用 IE 打开首页是白屏，换 Chrome 正常。",
    ),
    "backup-ask": dict(
        subject="误删了客户资料，能从备份恢复吗",
        description="昨天下午误删了一批客户资料，想从昨晚的备份恢复。",
    ),
    "license-readonly": dict(
        subject="系统变成只读了，提示 LIC_EXPIRED",
        description="今天所有人都不能保存单据，提示 LIC_EXPIRED。",
        solution="客户续费后导入新许可证。",
    ),
    "ip-conflict": dict(
        subject="服务器 192.168.1.10 地址冲突",
        description="机房服务器 192.168.1.10 报 IP 地址冲突，应用时断时续。",
        solution="另一台设备被手工配置了相同 IP，已更改。",
    ),
    "card-reader": dict(
        subject="读卡器读不了卡",
        description="前台的 IC 读卡器刷卡没有反应。",
    ),
}

# (query, relevant keys)
QUERIES: list[tuple[str, list[str]]] = [
    # Chinese
    ("数据库连接超时", ["A:db-timeout", "T:erp-db-timeout"]),
    ("打印机脱机", ["A:printer-offline", "T:printer-finance"]),
    ("打印机无法打印", ["A:printer-offline", "T:printer-finance"]),
    ("账号被锁定", ["A:login-locked", "T:locked-account"]),
    ("证书过期", ["A:cert-expired", "T:cert-warning"]),
    ("导出乱码", ["A:report-export-garbled", "T:export-garbled"]),
    ("系统很慢", ["A:slow-query", "T:slow-monthend"]),
    ("系统卡顿", ["A:slow-query", "T:slow-monthend"]),
    ("许可证到期", ["A:license-expired", "T:license-readonly"]),
    ("VPN断线", ["A:vpn-disconnect", "T:vpn-home"]),
    ("收不到邮件", ["A:mail-not-received", "T:mail-missing"]),
    ("同步失败", ["A:sync-failed", "T:app-sync"]),
    ("备份恢复", ["A:backup-restore", "T:backup-ask"]),
    ("升级注意事项", ["A:upgrade-521"]),
    ("页面白屏", ["A:white-screen", "T:white-page"]),
    ("没有权限", ["A:permission-denied", "T:perm-menu"]),
    ("发票金额不一致", ["A:invoice-amount", "T:invoice-diff"]),
    ("时间差8小时", ["A:timezone-wrong", "T:time-8h"]),
    ("主备切换", ["A:internal-db-failover"]),
    ("防火墙端口", ["A:db-timeout", "T:erp-db-timeout"]),
    ("连接池", ["A:db-timeout"]),
    ("慢查询索引", ["A:slow-query", "T:slow-monthend"]),
    ("税率", ["A:invoice-amount", "T:invoice-diff"]),
    ("地址冲突", ["T:ip-conflict"]),
    ("读卡器", ["T:card-reader"]),
    ("数据库连不上", ["A:db-timeout", "T:erp-db-timeout"]),
    ("月底结账", ["T:slow-monthend"]),
    ("角色管理", ["A:permission-denied"]),
    # one and two characters
    ("卡", ["T:card-reader", "T:slow-monthend"]),
    ("慢", ["A:slow-query", "T:slow-monthend"]),
    ("证书", ["A:cert-expired", "T:cert-warning"]),
    ("乱码", ["A:report-export-garbled", "T:export-garbled"]),
    ("发票", ["A:invoice-amount", "T:invoice-diff"]),
    ("白屏", ["A:white-screen", "T:white-page"]),
    ("邮件", ["A:mail-not-received", "T:mail-missing"]),
    ("时区", ["A:timezone-wrong"]),
    # traditional Chinese
    ("資料庫連線逾時", ["A:db-timeout", "T:erp-db-timeout"]),
    ("印表機無法列印", ["A:printer-offline", "T:printer-finance"]),
    ("帳號被鎖定", ["A:login-locked", "T:locked-account"]),
    ("憑證過期", ["A:cert-expired", "T:cert-warning"]),
    ("報表匯出亂碼", ["A:report-export-garbled", "T:export-garbled"]),
    ("許可證到期", ["A:license-expired", "T:license-readonly"]),
    ("同步失敗", ["A:sync-failed", "T:app-sync"]),
    ("發票金額", ["A:invoice-amount", "T:invoice-diff"]),
    ("權限", ["A:permission-denied", "T:perm-menu"]),
    # English
    ("password reset", ["A:password-reset"]),
    ("forgotten passwords", ["A:password-reset"]),
    ("barcode scanner", ["A:scanner-driver", "T:scanner-win"]),
    ("Scanners not detected", ["A:scanner-driver", "T:scanner-win"]),
    ("windows update driver", ["A:scanner-driver", "T:scanner-win"]),
    ("too many requests", ["A:api-rate-limit", "T:api-429"]),
    ("rate limit", ["A:api-rate-limit"]),
    ("HTTP 429", ["A:api-rate-limit", "T:api-429"]),
    # mixed
    ("VPN 客户端升级", ["A:vpn-disconnect", "T:vpn-home"]),
    ("Excel 乱码", ["A:report-export-garbled", "T:export-garbled"]),
    ("Chrome 白屏", ["A:white-screen", "T:white-page"]),
    ("SMTP 邮件", ["A:mail-not-received", "T:mail-missing"]),
    ("App 同步", ["A:sync-failed", "T:app-sync"]),
    ("Print Spooler 服务", ["A:printer-offline"]),
    ("Nginx 证书", ["A:cert-expired"]),
    # error codes, versions, addresses, serials
    ("ERR_1024", ["A:db-timeout", "T:erp-db-timeout"]),
    ("ERR_2001", ["A:login-locked", "T:locked-account"]),
    ("0x80070005", ["A:sync-failed", "T:app-sync"]),
    ("LIC_EXPIRED", ["A:license-expired", "T:license-readonly"]),
    ("NET::ERR_CERT_DATE_INVALID", ["A:cert-expired", "T:cert-warning"]),
    ("5.2.1", ["A:upgrade-521", "T:upgrade-question"]),
    ("4.8.2", ["A:vpn-disconnect", "T:vpn-home"]),
    ("192.168.1.10", ["T:ip-conflict"]),
    ("10.0.0.12", ["A:db-timeout", "T:erp-db-timeout"]),
    ("SN-2024-AB12", ["T:scanner-win"]),
    ("smtp.example.com", ["A:mail-not-received", "T:mail-missing"]),
    # whole sentences as customers type them
    ("早上开始所有人登录都提示数据库超时了", ["A:db-timeout", "T:erp-db-timeout"]),
    ("打印的时候一直在排队打不出来", ["A:printer-offline", "T:printer-finance"]),
    ("我们的手机盘点同步不了", ["A:sync-failed", "T:app-sync"]),
    (
        "The integration job gets throttled after a few hundred calls",
        ["T:api-429", "A:api-rate-limit"],
    ),
    ("怎么把误删的数据找回来", ["A:backup-restore", "T:backup-ask"]),
    ("系統變成唯讀，無法儲存單據", ["T:license-readonly", "A:license-expired"]),
    # ticket numbers
    ("{T:erp-db-timeout}", ["T:erp-db-timeout"]),
    ("{T:card-reader}", ["T:card-reader"]),
    ("{T:scanner-win}", ["T:scanner-win"]),
]
