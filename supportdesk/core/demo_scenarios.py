"""What the demo desk's customers report: the situations the guides describe, as data.

Each scenario is one kind of problem told the way it goes in a real desk: the customer's
description and what they already tried, the engineer's checks, what is asked of the
customer and their answer, the escalation, the root cause, the solution as numbered steps
(R-SO-1), the request to verify along the original scenario (R-SO-5) and the confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from supportdesk.tickets.choices import (
    Classification,
    Frequency,
    Reproducibility,
    ResolutionResult,
    TicketType,
)


@dataclass(frozen=True)
class Scenario:
    key: str
    product: str  # Product.code
    subjects: tuple[str, ...]
    description: str
    category: str  # Category.code
    priority: str  # Priority.code
    steps_tried: str
    checks: tuple[tuple[str, str], ...]  # L1 handling steps: (what was done, result)
    ask: str  # what the customer is asked for (需客户配合)
    answer: str  # the customer's answer
    solution: str
    verify: str
    confirm: str
    type: str = TicketType.FAULT
    classification: str = Classification.SELF_SOLVABLE
    frequency: str = Frequency.FREQUENT
    reproducibility: str = Reproducibility.ALWAYS
    env_os: tuple[str, ...] = ("Windows 10 专业版 22H2", "Windows 11 23H2", "统信 UOS 20 专业版")
    env_browser: tuple[str, ...] = ("Chrome 118", "Edge 119", "360 安全浏览器 13（极速模式）")
    env_network: tuple[str, ...] = ("公司内网（有线）", "VPN 远程接入")
    env_hardware: str = ""
    attachment: str = ""  # file name the customer sends with the answer
    escalate_to: str = ""  # "" (L1 solves it), "l2", "rnd", "ops" or "vendor"
    escalation_note: str = ""
    analysis: tuple[tuple[str, str], ...] = ()  # steps of the team it was escalated to
    root_cause: str = ""
    plan: str = ""  # told to the customer before the change: risk, backup, window (R-SO-3)
    result: str = ResolutionResult.SOLVED
    reopen: str = "问题又出现了，麻烦再帮忙看一下。"
    monitored: bool = False  # a monitoring alert may report it before the customer does
    channels: tuple[str, ...] = field(default=())  # extra channels this problem arrives by


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        key="token",
        product="erp",
        subjects=(
            "登录系统时提示“token失效”",
            "每天上午登录 ERP 提示 token 失效",
            "登录后几分钟就提示 token 失效，需要重新登录",
        ),
        description=(
            "登录系统时提示“token失效，请重新登录”，每天上午 9 点左右必现，部门里多位同事"
            "同时出现。重新登录后能用一段时间，但半小时左右又会被踢出，正在录入的单据也丢了。"
        ),
        category="configuration",
        priority="P1",
        classification=Classification.ASSISTED,
        steps_tried="1. 清除浏览器缓存\n2. 换用 Edge 浏览器\n3. 重启电脑",
        checks=(
            ("确认软件版本与登录方式", "云枢 ERP 5.2.1，统一身份认证（SSO）登录"),
            (
                "远程查看浏览器控制台与网络请求",
                "登录接口返回 401，错误码 TOKEN_EXPIRED，token 签发时间晚于服务器时间",
            ),
        ),
        ask=(
            "为进一步排查，请协助提供：\n1. 出现提示的准确时间；\n2. 应用服务器 "
            "/opt/yunshu/logs/auth.log 中当天 8:50–9:10 的日志；\n3. 两台应用服务器执行 date "
            "命令的输出截图。"
        ),
        answer="日志和截图已上传。我们看了一下，两台服务器的时间好像差了几分钟。",
        attachment="auth.log",
        escalate_to="l2",
        escalation_note=(
            "升级说明：已排除客户端缓存和浏览器因素；登录接口返回 TOKEN_EXPIRED，两台应用节点"
            "时间不一致，疑似集群时间同步问题，需二线确认服务器配置。"
        ),
        analysis=(
            ("比对两台应用节点的系统时间", "节点 B 比节点 A 慢 6 分 12 秒，未配置 NTP 时间同步"),
            ("在测试环境人为调慢一个节点的时钟", "稳定复现“token失效”提示"),
        ),
        root_cause=(
            "应用集群两台节点未配置 NTP 时间同步，节点 B 时钟慢约 6 分钟；负载均衡把请求分到"
            "节点 B 时，token 被判定为已过期。"
        ),
        plan=(
            "我们计划今天 12:30 午休时段为两台应用服务器配置时间同步。操作过程中系统不中断，"
            "为稳妥起见，请提前提醒同事保存正在编辑的单据。"
        ),
        solution=(
            "1. 在两台应用服务器上配置 NTP，同步到内网时间服务器 10.10.1.1；\n"
            "2. 执行 chronyc makestep 立即校准，确认两台节点时差小于 1 秒；\n"
            "3. 将 token 校验的时钟容差由 0 秒调整为 60 秒；\n"
            "4. 请用户清除浏览器缓存后重新登录。"
        ),
        verify="请您现在重新登录系统，尝试之前报错的操作，看是否还会出现“token失效”提示？",
        confirm="今天上午 9 点后多次登录都正常，没有再出现 token 失效，谢谢！",
        reopen="今天早上又有两位同事提示 token 失效，麻烦再看一下。",
    ),
    Scenario(
        key="report-export",
        product="report",
        subjects=(
            "月度销售报表无法导出 Excel",
            "报表中心导出时提示“导出失败：文件生成超时”",
            "财务月结报表导出失败",
        ),
        description=(
            "在报表中心导出 10 月份销售明细报表（约 8 万行）为 Excel 时，进度条走到 90% 后提示"
            "“导出失败：文件生成超时”。导出 9 月份（约 3 万行）正常。财务月结急需这份报表。"
        ),
        category="function",
        priority="P1",
        classification=Classification.ASSISTED,
        frequency=Frequency.CONTINUOUS,
        steps_tried="1. 改成 CSV 格式导出，同样失败\n2. 缩小日期范围分两次导出可以成功",
        checks=(
            ("确认报表中心版本与导出格式", "报表中心 3.0.0，导出格式为 xls"),
            ("在测试环境用同等数据量复现", "8 万行 xls 导出超过 60 秒，网关超时"),
        ),
        ask="请提供报表的查询条件截图以及导出失败时的完整提示截图，方便我们按相同条件复现。",
        answer="截图已上传，查询条件是 10 月 1 日至 31 日、全部门店。",
        attachment="导出失败截图.png",
        escalate_to="rnd",
        escalation_note=(
            "升级说明：可稳定复现，xls 格式超过 65536 行时按 sheet 拆分写入，耗时超过网关 60 秒"
            "限制。请研发确认是否已有补丁。"
        ),
        analysis=(
            ("研发确认缺陷", "3.0.0 在 xls 格式拆分 sheet 时存在性能缺陷，已在 3.0.2 修复"),
            ("在测试环境安装 3.0.2 验证", "8 万行 xlsx 导出耗时 17 秒"),
        ),
        root_cause=(
            "报表中心 3.0.0 导出 xls 时超过 65536 行按 sheet 拆分写入，存在性能缺陷，8 万行导出"
            "耗时超过网关 60 秒的超时限制。"
        ),
        plan=(
            "建议今晚 20:00 后升级报表中心补丁 3.0.2，约 15 分钟，期间报表暂不可用。升级前我们"
            "会先备份报表配置，如有异常可立即回退。"
        ),
        solution=(
            "1. 备份报表中心配置目录 /opt/report/conf；\n"
            "2. 安装补丁 3.0.2 并重启报表服务；\n"
            "3. 导出格式改选 xlsx（单个 sheet 最多约 104 万行）；\n"
            "4. 10 万行以上的报表使用“异步导出”，完成后在“我的下载”中获取。"
        ),
        verify="补丁已安装，请您按原来的条件再导出一次 10 月份销售明细，看是否能正常生成文件。",
        confirm="已经导出成功了，8 万多行不到 20 秒，谢谢。",
        reopen="导出 11 月份数据时又提示超时了。",
    ),
    Scenario(
        key="ie11",
        product="erp",
        subjects=(
            "IE11 打开凭证打印页面提示“控件未加载”",
            "IE11 浏览器不兼容打印插件",
            "财务凭证无法打印，一直提示安装控件",
        ),
        description=(
            "财务部使用 IE11 打开凭证打印页面时，顶部提示“打印控件未加载，请安装控件”，点击安装"
            "后仍然提示。用 Chrome 打开则提示不支持 ActiveX。月底结账需要打印凭证。"
        ),
        category="environment",
        priority="P2",
        frequency=Frequency.CONTINUOUS,
        env_os=("Windows 7 SP1", "Windows 10 专业版 1909"),
        env_browser=("IE11",),
        steps_tried="1. 重新安装打印控件\n2. 以管理员身份运行 IE",
        checks=(
            ("检查 IE 安全设置与受信任站点", "ERP 地址未加入受信任站点，ActiveX 控件被拦截"),
            ("确认本机打印控件版本", "安装的是旧版 3.2 控件，不支持 5.1 的打印模板"),
        ),
        ask=(
            "请提供：\n1. IE 版本号截图（帮助→关于 Internet Explorer）；\n"
            "2. 控制面板→程序中“云枢打印控件”的版本号。"
        ),
        answer="IE 版本 11.0.9600，控件版本 3.2.0。",
        root_cause=(
            "IE11 未将 ERP 站点加入受信任站点，ActiveX 被拦截；本机打印控件为旧版 3.2，与 5.1 的"
            "打印模板不兼容。IE11 已停止支持，新版本推荐使用无需控件的 Web 打印。"
        ),
        solution=(
            "1. 推荐改用 Chrome 或 Edge 浏览器，并在“系统设置→打印”中启用 Web 打印（无需控件）；\n"
            "2. 如必须使用 IE11：将 ERP 地址加入“受信任的站点”，允许 ActiveX 控件运行；\n"
            "3. 卸载旧控件，安装 5.1 配套的打印控件 4.0；\n"
            "4. 重启浏览器后重新打开凭证打印页面。"
        ),
        result=ResolutionResult.WORKAROUND,
        verify="请您用 Edge 浏览器打开凭证打印页面试打一张凭证，确认格式是否正常。",
        confirm="Edge 下的 Web 打印可以用了，格式正常。",
        reopen="另一台电脑上还是提示控件未加载。",
    ),
    Scenario(
        key="garbled-import",
        product="srm",
        subjects=(
            "导入供应商清单后中文全部乱码",
            "CSV 导入后名称显示乱码",
            "导入文件后乱码",
        ),
        description=(
            "在 SRM 中通过“批量导入”上传供应商清单（CSV，约 500 条），导入成功，但供应商名称、"
            "联系人等中文字段全部显示成“鍗庝笢绮惧瘑”之类的乱码。"
        ),
        category="data",
        priority="P2",
        steps_tried="1. 重新导入一次，结果一样\n2. 用 WPS 打开 CSV 显示正常",
        checks=(
            ("检查客户上传的 CSV 文件编码", "文件为 GBK 编码，导入功能默认按 UTF-8 解析"),
            ("在测试环境导入同一文件", "复现乱码"),
        ),
        ask="请将导入用的原始 CSV 文件作为附件上传（如有敏感信息，可只保留前 20 行）。",
        answer="文件已上传，只保留了前 20 行。",
        attachment="供应商清单.csv",
        root_cause=(
            "CSV 由 Excel 另存时使用了 GBK 编码，而导入功能默认按 UTF-8 解析，中文被错误解码。"
        ),
        solution=(
            "1. 在“批量导入记录”中一键撤销本次导入的 500 条记录；\n"
            "2. 用记事本打开 CSV，选择“另存为”，编码选 UTF-8；\n"
            "3. 或在导入页面的“文件编码”下拉框中选择 GB18030；\n"
            "4. 重新导入后，核对前 10 条供应商名称是否正常。"
        ),
        verify="请按上面的步骤重新导入一次，并检查供应商名称是否显示正常。",
        confirm="重新导入后中文正常了，之前的乱码记录也撤销了。",
        reopen="导入联系人表时又出现乱码。",
    ),
    Scenario(
        key="sync-delay",
        product="dip",
        subjects=(
            "WMS 出库单同步到 ERP 延迟 2 小时以上",
            "数据同步延迟，ERP 库存与仓库不一致",
            "数据集成平台同步任务积压",
        ),
        description=(
            "从昨天下午开始，WMS 出库单同步到 ERP 明显变慢，高峰时延迟超过 2 小时，ERP 库存与"
            "仓库实际不一致，影响发货对账。同步任务监控页显示“待处理 12,384 条”。"
        ),
        category="data",
        priority="P1",
        classification=Classification.ASSISTED,
        frequency=Frequency.CONTINUOUS,
        env_os=("CentOS 7.9（数据集成服务器）", "麒麟服务器操作系统 V10"),
        env_browser=("Chrome 118",),
        env_network=("专线", "公司内网（有线）"),
        steps_tried="1. 重启同步任务，短时间恢复后又积压\n2. 检查专线带宽，正常",
        checks=(
            ("查看同步任务监控", "队列积压 1.2 万条，单线程消费，每条平均 600 毫秒"),
            ("检查失败重试队列", "3,000 余条因物料编码不存在而反复重试"),
        ),
        ask=(
            "请导出数据集成平台“任务日志”中最近 24 小时的错误日志，并确认昨天是否新增了物料或"
            "调整了物料编码规则。"
        ),
        answer="日志已上传。昨天上午确实批量新增了一批物料，编码规则改成了 12 位。",
        attachment="dip-task-error.log",
        escalate_to="ops",
        escalation_note=(
            "升级说明：积压由失败重试任务占用消费线程引起，需运维扩容消费线程并清理重试队列；"
            "编码规则变更的兼容性请研发确认。"
        ),
        analysis=(
            ("检查同步服务器资源", "CPU 15%，内存充足，瓶颈在单线程消费"),
            ("定位重试任务来源", "12 位新物料编码未同步到 ERP，出库单引用不存在的物料导致失败重试"),
        ),
        root_cause=(
            "新增的 12 位物料编码未同步到 ERP，相关出库单同步失败后反复重试，占满唯一的消费"
            "线程，正常单据排队积压。"
        ),
        plan="计划今晚 21:00 调整同步任务配置，约 10 分钟，期间新单据暂存在队列中，不会丢失。",
        solution=(
            "1. 先把新增物料主数据同步到 ERP，再重放失败的出库单；\n"
            "2. 同步任务消费线程数由 1 调整为 4；\n"
            "3. 失败重试改为最多 5 次、指数退避，超过后转入人工处理队列；\n"
            "4. 新增“同步延迟超过 15 分钟”监控告警，通知运维与客户信息部。"
        ),
        verify="积压已清空，请您抽查今天上午的出库单，确认 ERP 库存与 WMS 一致。",
        confirm="抽查了 20 张出库单，数据一致，延迟在 1 分钟以内。",
        reopen="今天下午又积压了三千多条。",
        monitored=True,
    ),
    Scenario(
        key="print-offset",
        product="erp",
        subjects=(
            "打印送货单时内容整体错位",
            "打印模板错位，字段压线",
            "套打送货单格式偏移",
        ),
        description=(
            "更换新打印机（映美 FP-630K）后，打印送货单时内容整体向右下偏移约 1 厘米，客户签收"
            "栏被挤到下一页。旧打印机打印正常。"
        ),
        category="configuration",
        priority="P2",
        env_hardware="映美 FP-630K 针式打印机",
        steps_tried="1. 重新安装打印机驱动\n2. 在 Word 中打印测试页正常",
        checks=(
            ("远程查看打印设置", "纸张选的是 A4，实际使用 241×140 mm 连续纸"),
            ("检查驱动缩放设置", "驱动默认“适合页面”缩放"),
        ),
        ask="请用新打印机打印一张测试送货单并拍照上传，标出偏移的位置。",
        answer="照片已上传，红圈是偏移的位置。",
        attachment="打印效果.png",
        root_cause=(
            "新打印机驱动默认纸张为 A4 并启用“适合页面”缩放，与送货单模板的 241×140 mm 自定义"
            "纸张不一致。"
        ),
        solution=(
            "1. 在打印机首选项中新建自定义纸张 241×140 mm，并设为默认；\n"
            "2. 缩放选择“实际大小”，页边距设为 0；\n"
            "3. 如仍有 1–2 mm 偏差，在模板设计器的“打印偏移”中微调 X/Y 偏移量；\n"
            "4. 打印一张测试页确认签收栏位置。"
        ),
        verify="请打印一张送货单，核对签收栏是否在同一页、位置是否正确。",
        confirm="格式对上了，签收栏也回到同一页了，谢谢。",
        reopen="换了一种纸张后又偏了。",
    ),
    Scenario(
        key="mobile-crash",
        product="mobile",
        subjects=(
            "升级 4.3.0 后打开审批详情闪退",
            "移动审批 App 在安卓 14 上闪退",
            "移动端闪退，无法审批报销单",
        ),
        description=(
            "移动审批 App 升级到 4.3.0 后，在安卓手机上点开报销单审批详情就闪退，列表页正常，"
            "iPhone 上正常。部门负责人出差时无法审批，影响报销进度。"
        ),
        category="function",
        priority="P1",
        classification=Classification.ASSISTED,
        env_os=(
            "Android 14（小米 14）",
            "HarmonyOS 4.2（华为 Mate 60）",
            "Android 14（OPPO Find X7）",
        ),
        env_browser=(),
        env_network=("4G 移动网络", "Wi-Fi"),
        steps_tried="1. 卸载后重新安装 App\n2. 清除应用缓存",
        checks=(
            ("确认受影响的机型与系统版本", "仅 Android 14 / HarmonyOS 4 机型出现，Android 13 正常"),
            ("收集崩溃日志", "附件预览组件 NullPointerException"),
        ),
        ask="请在 App“我的→关于→上传日志”中上传闪退后的日志，并告诉我们手机型号和系统版本。",
        answer=(
            "日志已上传。一台是华为 Mate 60（HarmonyOS 4.2），另一位同事是小米 14（Android 14）。"
        ),
        escalate_to="rnd",
        escalation_note=(
            "升级说明：稳定复现，Android 14 上打开含 PDF 附件的报销单时附件预览组件空指针，"
            "需研发修复。"
        ),
        analysis=(
            ("研发复现并定位", "4.3.0 的 PDF 预览组件未适配 Android 14 存储权限变更"),
            ("研发提供 4.3.1 测试包并验证", "测试机 6 台全部通过"),
        ),
        root_cause=(
            "4.3.0 的 PDF 附件预览组件未适配 Android 14 的存储权限变更，"
            "打开含 PDF 附件的审批单时空指针崩溃。"
        ),
        solution=(
            "1. 在应用商店将移动审批 App 升级到 4.3.1（已修复该问题）；\n"
            "2. 升级后在“设置→应用→移动审批”中清除缓存；\n"
            "3. 重新登录 App，打开含 PDF 附件的报销单确认可以正常预览。"
        ),
        verify="4.3.1 已上架，请升级后打开之前闪退的报销单试一下。",
        confirm="升级后正常了，附件也能预览。",
        reopen="还有一位同事升级后仍然闪退。",
    ),
    Scenario(
        key="permissions",
        product="srm",
        subjects=(
            "新入职采购员看不到报价管理菜单",
            "权限配置错误：无法查看供应商报价",
            "角色授权后仍提示“没有访问权限”",
        ),
        description=(
            "新入职的两位采购员登录 SRM 后看不到“报价管理”菜单，直接打开链接提示“您没有访问该"
            "页面的权限”。已在用户管理中给他们分配了“采购员”角色。"
        ),
        category="configuration",
        priority="P2",
        frequency=Frequency.CONTINUOUS,
        steps_tried="1. 让员工退出后重新登录\n2. 重新分配了一次角色",
        checks=(
            ("核对“采购员”角色的功能权限", "角色未勾选“报价管理→查看”"),
            ("检查数据权限", "两位用户未分配采购组织"),
        ),
        ask="请告诉我们两位采购员的登录账号，以及他们所属的采购组织。",
        answer="账号是 caigou01 和 caigou02，属于华东采购部。",
        root_cause="“采购员”角色缺少“报价管理→查看”功能权限，且两位新用户未分配采购组织（数据权限）。",
        solution=(
            "1. 进入“系统管理→角色管理”，编辑“采购员”角色，勾选“报价管理→查看/比价”；\n"
            "2. 在“用户管理”中为两位采购员分配所属采购组织（华东采购部）；\n"
            "3. 请用户退出后重新登录，使权限生效。"
        ),
        verify="权限已调整，请两位采购员重新登录后确认能否看到“报价管理”菜单。",
        confirm="两位同事都能看到报价单了。",
        reopen="其中一位同事今天又看不到菜单了。",
    ),
    Scenario(
        key="api-timeout",
        product="erp",
        subjects=(
            "调用开放接口创建销售订单返回 504",
            "接口超时，电商订单同步失败",
            "OpenAPI 批量下单频繁超时",
        ),
        description=(
            "我方电商中台调用 ERP 开放接口 /openapi/v2/sales-orders 批量创建销售订单时，频繁返回 "
            "504 Gateway Timeout，单次 200 行以上的订单几乎必现，小订单正常。"
            "重试后还出现了重复订单。"
        ),
        category="function",
        priority="P1",
        classification=Classification.ASSISTED,
        env_os=("CentOS 7.9 / Nginx 1.20",),
        env_browser=(),
        env_network=("专线",),
        steps_tried="1. 批量大小从 500 降到 200，仍然超时\n2. 超时后自动重试",
        checks=(
            ("检查网关访问日志", "504 请求耗时均为 30 秒整，疑似网关超时"),
            ("检查应用日志", "同一请求在应用侧实际处理 38–45 秒"),
        ),
        ask=(
            "请提供一个超时请求的时间、订单号和请求报文（可脱敏），"
            "并确认重试时是否带了 Idempotency-Key 请求头。"
        ),
        answer="报文样例已附上，重试时没有带 Idempotency-Key。",
        attachment="request-sample.json",
        escalate_to="ops",
        escalation_note=(
            "升级说明：网关 proxy_read_timeout 为 30 秒，批量下单超过 30 秒被截断；客户重试导致"
            "重复订单。需运维调整超时，并指导客户使用异步接口与幂等键。"
        ),
        analysis=(
            ("检查网关配置", "proxy_read_timeout 30s"),
            ("分析慢请求", "逐行校验库存，200 行约 40 秒"),
        ),
        root_cause=(
            "网关 proxy_read_timeout 为 30 秒，而批量创建订单逐行校验库存，200 行以上耗时超过 "
            "30 秒；客户端超时后重试且未带幂等键，造成重复订单。"
        ),
        plan="网关配置调整需要重新加载 Nginx，约 1 秒，不影响在线用户；建议今天 18:00 后进行。",
        solution=(
            "1. 网关 proxy_read_timeout 调整为 120 秒；\n"
            "2. 大批量订单改用异步接口 /openapi/v2/sales-orders:batch，提交后轮询任务结果；\n"
            "3. 重试时携带 Idempotency-Key 请求头，避免重复创建；\n"
            "4. 已协助清理本次产生的 17 张重复订单。"
        ),
        verify="请用 300 行的订单调用一次异步接口，确认不再超时、没有重复订单。",
        confirm="异步接口测试通过，没有再出现 504。",
        reopen="今天晚上大促期间又出现了几次 504。",
        monitored=True,
    ),
    Scenario(
        key="db-pool",
        product="erp",
        subjects=(
            "上午高峰期系统整体卡顿，多人无法登录",
            "ERP 无响应，日志报数据库连接池耗尽",
            "系统所有页面加载超时，仓库无法出库",
        ),
        description=(
            "今天上午 9:30 起 ERP 整体卡顿，页面一直转圈，部分用户无法登录，仓库无法出库。服务器"
            "日志大量出现“Cannot get a connection, pool error Timeout waiting for idle object”。"
        ),
        category="environment",
        priority="P0",
        classification=Classification.ASSISTED,
        frequency=Frequency.CONTINUOUS,
        env_os=("麒麟服务器操作系统 V10 / PostgreSQL 14",),
        env_browser=(),
        env_network=("公司内网（有线）",),
        steps_tried="重启了一台应用服务器，10 分钟后又卡住。",
        checks=(
            (
                "15 分钟内电话联系客户并远程接入（客户同意远程协助，工具：向日葵）",
                "两台应用节点连接池 50/50 全部占满",
            ),
            ("查看数据库活动连接", "大量连接处于 idle in transaction，来自定时任务“库存日结”"),
        ),
        ask="请确认最近是否调整过“库存日结”定时任务的执行时间？",
        answer="上周把库存日结从凌晨改到了上午 9 点。",
        escalate_to="ops",
        escalation_note=(
            "紧急升级（P0，业务中断）：已临时重启恢复，根因指向定时任务未释放连接。升级运维与研发，"
            "每 30 分钟向客户与管理层同步进展。"
        ),
        analysis=(
            (
                "运维：启动应急预案，重启应用并暂停“库存日结”任务",
                "10:12 业务恢复，连接使用率降至 30%",
            ),
            ("研发：代码排查", "库存日结异常分支未关闭连接，补丁 5.2.3 已修复"),
        ),
        root_cause=(
            "“库存日结”定时任务在异常分支未释放数据库连接，上周又被调整到上午业务高峰执行，"
            "连接池被占满，业务请求拿不到连接。"
        ),
        plan=(
            "今晚 22:00 安装补丁 5.2.3，安装前完整备份数据库，预计停机 20 分钟。请提前通知仓库"
            "夜班暂停出库操作。"
        ),
        solution=(
            "1. 临时处置：重启应用服务，暂停“库存日结”任务，业务已于 10:12 恢复；\n"
            "2. 连接池上限由 50 调整为 200，并开启连接泄漏检测（30 秒未归还告警）；\n"
            "3. 安装补丁 5.2.3，修复定时任务异常分支未关闭连接的问题；\n"
            "4. 库存日结调回凌晨 2:00 执行；\n"
            "5. 新增连接池使用率超过 80% 的监控告警。"
        ),
        verify="补丁已安装，请确认今天上午高峰期登录、出库是否正常。",
        confirm="今天上午高峰一切正常，库存日结凌晨也跑完了。感谢大家连夜处理。",
        reopen="今天上午又开始卡了，日志里还是连接池的报错。",
        monitored=True,
    ),
    Scenario(
        key="pda-scanner",
        product="pda",
        subjects=(
            "仓库 PDA 扫码无反应",
            "手持终端无法识别条码",
            "PDA 扫描头不出光",
        ),
        description=(
            "仓库有 3 台 HT-520 手持终端扫描条码没有反应，扫描头不出红光，重启后依旧。其他 PDA "
            "正常，入库效率受影响。"
        ),
        category="environment",
        priority="P2",
        classification=Classification.ASSISTED,
        env_os=("Android 9（HT-520 固件 2.3）",),
        env_browser=(),
        env_network=("Wi-Fi（仓库）",),
        env_hardware="HT-520 手持终端",
        steps_tried="1. 重启设备\n2. 检查扫描设置，已开启",
        checks=(
            ("指导客户在“扫描设置”中恢复默认配置", "恢复后仍不出光"),
            ("确认设备序列号与保修状态", "3 台均在保修期内"),
        ),
        ask="请提供 3 台故障设备的序列号（电池仓内标签），并拍一张扫描窗口的照片。",
        answer="序列号：HT520-2409-00317、HT520-2409-00322、HT520-2409-00341，照片已上传。",
        attachment="扫描窗口.png",
        escalate_to="vendor",
        escalation_note="升级说明：软件设置已排除，疑似扫描头硬件故障，转硬件供应商检测并安排更换。",
        analysis=(
            ("供应商远程诊断", "扫描引擎自检失败，判定扫描头模块损坏"),
            ("安排备用机", "已寄出 3 台备用机，预计明天到货"),
        ),
        root_cause="同一批次扫描头模块排线接触不良（供应商已确认为批次质量问题）。",
        solution=(
            "1. 供应商寄送 3 台备用机先行替换，保证入库作业；\n"
            "2. 故障机寄回供应商更换扫描头模块（保修期内免费）；\n"
            "3. 维修机返回后恢复默认配置，并导入仓库扫描设置模板。"
        ),
        verify="备用机已签收，请确认扫码是否正常。",
        confirm="备用机扫码正常，维修好的设备也收到了。",
        reopen="维修回来的一台又不出光了。",
    ),
    Scenario(
        key="push",
        product="mobile",
        subjects=(
            "钉钉收不到移动审批的待办提醒",
            "审批消息推送中断",
            "领导收不到审批通知，付款单超期",
        ),
        description=(
            "从本周一开始，领导在钉钉里收不到移动审批的待办提醒，需要打开 App 才能看到待审批单据，"
            "已有多张付款单超期。"
        ),
        category="configuration",
        priority="P2",
        frequency=Frequency.CONTINUOUS,
        env_os=("iOS 17.5（iPhone 14）", "Android 13（华为 P60）"),
        env_browser=(),
        env_network=("4G 移动网络", "Wi-Fi"),
        steps_tried="1. 检查手机通知权限，已开启\n2. 重新登录钉钉",
        checks=(
            ("查看消息推送日志", "调用钉钉接口返回 40014 不合法的 access_token"),
            ("核对第三方集成配置", "钉钉应用的 AppSecret 与系统中配置的不一致"),
        ),
        ask="请贵司钉钉管理员登录开发者后台，确认“移动审批”应用的 AppSecret 是否在上周被重置过。",
        answer="确认是上周五重置的，当时在做安全整改。",
        root_cause=(
            "客户钉钉管理员重置了“移动审批”应用的 AppSecret，系统中仍是旧密钥，"
            "获取 access_token 失败，推送中断。"
        ),
        solution=(
            "1. 在“系统设置→第三方集成→钉钉”中填入新的 AppKey/AppSecret；\n"
            "2. 点击“测试连接”，确认返回成功；\n"
            "3. 在“消息中心→失败重发”中补发本周一以来未送达的待办提醒；\n"
            "4. 建议今后重置密钥时同步通知我方支持人员。"
        ),
        verify="配置已更新并补发了提醒，请确认领导现在能否在钉钉收到新的待办。",
        confirm="已经能收到钉钉提醒了，之前漏掉的也补发了。",
    ),
    Scenario(
        key="uom-question",
        product="erp",
        subjects=(
            "如何批量修改物料的计量单位？",
            "咨询：物料计量单位能否批量调整",
            "请问怎么批量修改物料单位",
        ),
        description=(
            "我们有 300 多个物料的计量单位需要从“个”改成“件”，请问系统里有没有批量修改的方法？"
            "一个个改太慢了。"
        ),
        type=TicketType.QUESTION,
        category="function",
        priority="P3",
        frequency=Frequency.ONCE,
        reproducibility=Reproducibility.UNKNOWN,
        steps_tried="查看了操作手册，没有找到批量修改的说明。",
        checks=(("查阅知识库", "有对应文章 KB-0132《物料主数据批量更新》"),),
        ask="请确认这些物料是否已有库存或未完成的单据？已有业务数据的物料修改单位前需要先维护单位换算。",
        answer="其中 40 个有库存，其他都是新物料。",
        solution=(
            "1. 在“物料管理→批量更新”中下载模板，填入物料编码和新计量单位“件”；\n"
            "2. 无库存的物料直接导入模板即可完成修改；\n"
            "3. 有库存的 40 个物料，先在“计量单位换算”中维护 1 个 = 1 件，再导入；\n"
            "4. 导入后在“物料变更日志”中核对修改记录。"
        ),
        verify="请按步骤操作后，在“物料变更日志”中核对修改结果。",
        confirm="按步骤操作完成了，很方便，谢谢。",
    ),
    Scenario(
        key="report-subscription",
        product="report",
        subjects=(
            "希望报表中心支持按部门定时邮件推送",
            "需求：日报自动发送到部门负责人邮箱",
            "建议增加报表邮件订阅功能",
        ),
        description=(
            "希望报表中心能每天早上 8 点把销售日报按部门自动发送到各部门负责人的邮箱，目前需要"
            "专人每天手动导出再发邮件。"
        ),
        type=TicketType.REQUEST,
        category="function",
        priority="P3",
        classification=Classification.REQUIREMENT,
        frequency=Frequency.ONCE,
        reproducibility=Reproducibility.UNKNOWN,
        steps_tried="",
        checks=(("确认现有功能", "当前版本支持订阅到站内信，不支持按部门拆分发送邮件"),),
        ask="请确认每个部门需要接收的报表范围，以及收件人名单由谁维护？",
        answer="每个部门只看自己的数据，收件人由信息部统一维护。",
        escalate_to="rnd",
        escalation_note="需求类：按部门拆分的定时邮件订阅，请研发评估可行性、工作量与排期。",
        analysis=(("研发评估", "工作量约 5 人天，排入 3.1 版本（预计下季度发布）"),),
        solution=(
            "当前版本暂不支持该功能，已为您提交需求优化，预计下个版本上线。临时可通过以下方式处理：\n"
            "1. 在报表中心为各部门分别创建“订阅”，推送到站内信；\n"
            "2. 或使用“计划导出”每天 7:50 导出 Excel 到共享目录，再由邮件系统定时发送。"
        ),
        result=ResolutionResult.REQUIREMENT_FILED,
        verify="临时方案的配置说明已发给您，请确认是否满足当前需要。",
        confirm="好的，先按临时方案处理，期待新版本。",
    ),
    Scenario(
        key="account-locked",
        product="erp",
        subjects=(
            "员工账号被锁定无法登录",
            "连续输错密码后账号锁定",
            "登录提示“账号已锁定，请联系管理员”",
        ),
        description=(
            "仓储部一名员工连续输错密码 5 次后提示“账号已锁定，请联系管理员”，我们的系统管理员"
            "不知道在哪里解锁。"
        ),
        category="configuration",
        priority="P2",
        frequency=Frequency.ONCE,
        steps_tried="等了半小时再登录，仍然锁定。",
        checks=(("核对账号状态与安全策略", "账号处于锁定状态，锁定时长为“永久（需手动解锁）”"),),
        ask="请提供被锁定的账号名，以及是否需要保留原密码。",
        answer="账号是 cangchu05，不需要保留原密码。",
        solution=(
            "1. 管理员进入“系统管理→用户管理”，搜索该员工账号；\n"
            "2. 点击“解锁”，并勾选“下次登录强制修改密码”；\n"
            "3. 如希望锁定 30 分钟后自动解除，可在“安全策略”中把锁定时长改为 30 分钟。"
        ),
        verify="请让该员工用临时密码登录并修改密码，确认能正常进入系统。",
        confirm="已经解锁，员工改了密码后正常登录了。",
    ),
)
