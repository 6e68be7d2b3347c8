"""Knowledge content of the demo desk (issue 5): articles written from the guides' typical
situations (token失效, 报表导出失败, IE11 插件不兼容, 导入后乱码, 连接问题, 速度缓慢...), some
public for customers' self-service, some internal, a few for engineers only; linked to the
demo tickets of the same problem, with a few typical cases marked. Canned replies and the
playbooks ship with the migrations, so they are there already.

``load_demo()`` is called at the end of ``core.demo_data.load_demo_data`` (same transaction);
it does nothing when articles exist.
"""

# ruff: noqa: E501 - article text reads best unbroken

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from supportdesk.accounts.choices import Role
from supportdesk.accounts.models import User
from supportdesk.crm.models import Product
from supportdesk.knowledge.actions import (
    READ_ENGINEERING,
    do_create_article,
)
from supportdesk.knowledge.models import Article, TypicalCase
from supportdesk.tickets.choices import Status
from supportdesk.tickets.models import Ticket

ENGINEERS_GROUP = "二线及研发工程师"
CUSTOMER_ADMINS_GROUP = "客户系统管理员"
READ_ADMIN_GUIDES = "knowledge.read_admin_guides"


@dataclass(frozen=True)
class Doc:
    title: str
    category: str  # configuration / feature / environment / data
    problem_type: str
    product: str  # Product.code, "" for all
    versions: str
    keywords: str
    problem: str
    cause: str
    steps: tuple[str, ...]
    public: bool = True
    synonyms: str = ""
    permissions: str = ""
    scenario: str = ""  # demo_scenarios key whose tickets this article answers
    shots: str = ""


DOCS: tuple[Doc, ...] = (
    Doc(
        "登录系统时提示“token失效”怎么办",
        "environment",
        "登录异常",
        "erp",
        "5.1, 5.2",
        "token失效 登录 会话 过期 重新登录 TOKEN_EXPIRED",
        "登录后操作几分钟就提示“token失效”，需要重新登录；常见于每天上午固定时间段。",
        "登录凭证（token）有有效期。服务器之间时间不一致、浏览器拦截 Cookie 或多标签页同时登录，都会让凭证被提前判定为过期。",
        (
            "退出系统并关闭所有浏览器窗口后重新登录",
            "确认电脑时间与北京时间一致（误差不超过 1 分钟）",
            "在浏览器设置中允许本系统的 Cookie",
            "仍然出现请截图提示并记下发生时间，联系技术支持",
        ),
        synonyms="token失效, 令牌失效, 登录过期, 会话过期\n掉线, 自动退出, 被踢出",
        scenario="token",
        shots="提示“token失效”的完整窗口截图（含右下角时间）",
    ),
    Doc(
        "token失效根因：应用节点时钟不同步（NTP）",
        "environment",
        "登录异常",
        "erp",
        "5.x",
        "token失效 NTP 时钟 时间同步 负载均衡 TOKEN_EXPIRED iat",
        "集群部署下部分用户频繁出现“token失效”，日志中有 TOKEN_EXPIRED，iat 比当前时间晚。",
        "应用集群节点未配置 NTP，某节点时钟偏慢数分钟；负载均衡把请求分到该节点时，它校验 token 的签发时间（iat）失败。",
        (
            "在每台应用服务器执行 chronyc tracking 查看偏差",
            "配置 NTP 同步到内网时间服务器，并设置开机自启",
            "在监控中增加时钟偏差告警（>30 秒）",
            "重启应用服务，观察 TOKEN_EXPIRED 日志是否消失",
        ),
        public=False,
        permissions=READ_ENGINEERING,
        scenario="token",
    ),
    Doc(
        "报表导出失败或导出 Excel 一直转圈",
        "feature",
        "导出失败",
        "report",
        "2.8, 3.0",
        "报表导出失败 导出 Excel 超时 xls xlsx 大数据量",
        "在报表中心导出月度报表时长时间无响应，最终提示“导出失败”。",
        "单次导出的数据量过大（超过数万行），或使用了旧的 xls 格式，导出任务超时。",
        (
            "缩小查询条件（例如按月、按部门分别导出）",
            "导出格式选择 xlsx 而不是 xls",
            "数据量大时使用“后台导出”，完成后在消息中心下载",
            "仍失败请提供报表名称、查询条件和导出时间",
        ),
        synonyms="导出失败, 导不出来, 导出报错, 下载失败",
        scenario="report-export",
    ),
    Doc(
        "报表中心 3.0.0 大数据量导出性能缺陷及补丁",
        "feature",
        "导出失败",
        "report",
        "3.0.0",
        "报表导出 性能缺陷 补丁 65536 sheet 拆分 3.0.1",
        "3.0.0 版本导出超过 65536 行的 xls 时 CPU 占满，8 万行以上导出超时。",
        "导出 xls 时按 sheet 拆分写入的实现存在性能缺陷，每个 sheet 都重新加载全部数据。",
        (
            "备份 /opt/report/conf 配置目录",
            "升级到 3.0.1 或打上补丁 RPT-3001",
            "重启报表服务",
            "用 8 万行数据验证导出耗时",
        ),
        public=False,
        scenario="report-export",
    ),
    Doc(
        "IE11 浏览器插件不兼容：凭证打印提示“控件未加载”",
        "environment",
        "浏览器兼容",
        "erp",
        "5.0, 5.1",
        "IE11 插件 不兼容 ActiveX 控件未加载 打印控件 浏览器",
        "使用 IE11 打开凭证打印页面时提示“控件未加载”，无法打印。",
        "IE11 是较老的浏览器，系统的打印控件需要 ActiveX；站点未加入受信任站点时控件被拦截，旧版控件也与新版本不兼容。",
        (
            "推荐改用 Chrome 或 Edge，并在“系统设置→打印”中启用 Web 打印（无需控件）",
            "必须使用 IE11 时：将系统地址加入“受信任的站点”",
            "卸载旧版打印控件，重新下载安装最新版本",
            "重启浏览器后再次打印",
        ),
        synonyms="IE11, IE 浏览器, Internet Explorer\n控件未加载, 插件加载失败, 控件不兼容",
        scenario="ie11",
    ),
    Doc(
        "导入供应商清单后中文乱码",
        "data",
        "导入乱码",
        "srm",
        "3.4, 3.5",
        "导入 乱码 CSV 编码 GBK UTF-8 Excel 另存",
        "导入 CSV 文件后，供应商名称等中文字段全部变成乱码。",
        "Excel 另存 CSV 默认使用 GBK 编码，而导入功能按 UTF-8 读取，中文被错误解码。",
        (
            "在“批量导入记录”中撤销本次导入",
            "用 Excel 打开原文件，另存为“CSV UTF-8（逗号分隔）”",
            "或在导入页面把文件编码选为 GBK",
            "重新导入并抽查几条中文记录",
        ),
        synonyms="乱码, 中文乱码, 显示问号, 方块字",
        scenario="garbled-import",
        shots="导入结果页面中乱码记录的截图",
    ),
    Doc(
        "报表导出 CSV 用 Excel 打开乱码",
        "data",
        "导出乱码",
        "report",
        "",
        "导出 CSV 乱码 Excel UTF-8 BOM",
        "导出的 CSV 用 Excel 直接打开时中文显示为乱码，用记事本打开正常。",
        "CSV 为 UTF-8 编码但不带 BOM，Excel 默认按本地编码打开。",
        (
            "导出时选择“UTF-8 BOM”编码",
            "或在 Excel 中通过“数据→自文本/CSV”导入并选择 UTF-8",
            "需要长期使用时请改为导出 xlsx 格式",
        ),
        synonyms="乱码, 中文乱码",
    ),
    Doc(
        "连接问题排查：无法连接服务器或连接超时",
        "environment",
        "连接问题",
        "",
        "",
        "连接问题 无法连接 连接超时 网络 防火墙 ping 路由器",
        "客户端提示“无法连接服务器”或“连接超时”。",
        "常见原因是本机网络异常、公司防火墙或代理拦截、VPN 未连接，少数是服务器端故障。",
        (
            "检查网络配置：能否打开其他网站、ping 服务器地址",
            "重启路由器或重新连接 Wi-Fi/网线",
            "更换网络（如改用手机热点）确认是否为本地网络问题",
            "检查防火墙和杀毒软件是否拦截了客户端",
            "以上都正常请提供 ping 与 tracert 结果截图",
        ),
        synonyms="连不上, 无法连接, 连接失败, 连接超时\n断网, 网络不通",
    ),
    Doc(
        "VPN 远程接入后系统频繁断开",
        "environment",
        "连接问题",
        "",
        "",
        "VPN 断线 远程办公 掉线 客户端版本",
        "在家通过 VPN 访问系统，每隔十几分钟断开一次。",
        "旧版 VPN 客户端的保活机制与公司防火墙的会话超时设置冲突。",
        (
            "升级 VPN 客户端到最新版本",
            "在 VPN 客户端中开启“保持连接”",
            "避免电脑进入睡眠状态",
            "仍断线请记录断开时间点并提供 VPN 客户端日志",
        ),
        synonyms="VPN断线, VPN 掉线, 远程断开",
    ),
    Doc(
        "系统响应缓慢（速度缓慢）的自助处理",
        "environment",
        "速度缓慢",
        "",
        "",
        "速度缓慢 卡顿 慢 响应时间 缓存 后台程序",
        "打开页面或保存单据很慢，页面经常卡住。",
        "浏览器缓存过多、电脑后台程序占用资源、网络拥堵，或高峰期服务器负载高。",
        (
            "清除浏览器缓存后重新登录",
            "关闭不用的后台程序和浏览器标签页",
            "优化网络：尽量使用有线网络",
            "如果所有同事同时变慢，请立即联系技术支持并说明开始时间",
        ),
        synonyms="卡顿, 很慢, 速度慢, 反应慢, 转圈",
        scenario="db-pool",
    ),
    Doc(
        "高峰期整体卡顿：数据库连接池耗尽的排查",
        "environment",
        "速度缓慢",
        "erp",
        "5.x",
        "连接池 耗尽 卡顿 数据库 慢查询 定时任务 HikariCP",
        "上午高峰期系统整体卡顿，多人无法登录，应用日志出现连接获取超时。",
        "定时任务在异常分支未释放数据库连接，被调整到业务高峰执行后连接池很快耗尽。",
        (
            "临时处置：重启应用服务并暂停可疑定时任务",
            "查看连接池监控：活跃连接数、等待线程数",
            "检查慢查询日志与长时间未提交的事务",
            "修复连接泄漏后把批量任务移到夜间执行",
        ),
        public=False,
        permissions=READ_ENGINEERING,
        scenario="db-pool",
    ),
    Doc(
        "数据同步延迟：WMS 出库单同步到 ERP 慢",
        "data",
        "同步延迟",
        "dip",
        "1.6, 2.0",
        "同步延迟 出库单 WMS ERP 重试 消费队列 物料编码",
        "WMS 出库单要两小时以上才出现在 ERP 中。",
        "新物料主数据未同步到 ERP，相关单据同步失败后反复重试，占满了消费线程。",
        (
            "先同步物料主数据到 ERP",
            "在数据集成平台重放失败的出库单",
            "把重试策略改为指数退避并设置上限",
            "增加消费线程并配置积压告警",
        ),
        public=False,
        scenario="sync-delay",
    ),
    Doc(
        "打印送货单内容整体错位",
        "configuration",
        "打印问题",
        "erp",
        "",
        "打印 错位 送货单 纸张 驱动 适合页面 缩放",
        "更换打印机后，送货单打印内容整体偏移，超出预印纸格子。",
        "新打印机驱动默认 A4 纸并启用了“适合页面”缩放，与 241×140 mm 的送货单模板不一致。",
        (
            "在打印机首选项中新建自定义纸张 241×140 mm 并设为默认",
            "关闭“适合页面/缩放”",
            "在系统打印设置中选择该纸张",
            "先用白纸试打一张对照格子",
        ),
        synonyms="错位, 偏移, 打歪了",
        scenario="print-offset",
    ),
    Doc(
        "移动审批 App 4.3.0 打开审批详情闪退",
        "feature",
        "闪退",
        "mobile",
        "4.3.0",
        "闪退 App 崩溃 Android 14 审批详情 4.3.1 升级",
        "升级到 4.3.0 后，在 Android 14 手机上打开带 PDF 附件的审批详情时 App 闪退。",
        "4.3.0 的附件预览组件未适配 Android 14 的存储权限变更。",
        (
            "在应用商店升级到 4.3.1",
            "升级前可在电脑端处理带附件的审批",
            "升级后仍闪退请提供手机型号和系统版本",
        ),
        synonyms="闪退, 崩溃, 自动退出",
        scenario="mobile-crash",
    ),
    Doc(
        "新员工看不到菜单或提示“没有权限”",
        "configuration",
        "权限问题",
        "srm",
        "",
        "没有权限 看不到菜单 角色 功能权限 数据权限 新员工",
        "新入职员工登录后看不到某些菜单，或打开时提示“没有权限”。",
        "用户的角色缺少对应的功能权限，或没有分配组织等数据权限。",
        (
            "请贵公司系统管理员在“系统管理→角色管理”中检查该角色的功能权限",
            "在“用户管理”中为用户分配正确的角色和组织",
            "让员工退出后重新登录",
        ),
        synonyms="没有权限, 无权限, 看不到菜单, 权限不足",
        scenario="permissions",
    ),
    Doc(
        "系统管理员手册：角色与数据权限配置",
        "configuration",
        "权限问题",
        "srm",
        "3.4, 3.5",
        "管理员 角色 数据权限 采购组织 授权 配置手册",
        "贵公司系统管理员如何为新岗位配置角色与数据权限。",
        "功能权限决定能看到哪些菜单，数据权限决定能看到哪些组织的数据，两者都要配置。",
        (
            "进入“系统管理→角色管理”，复制相近岗位的角色",
            "勾选所需的菜单和按钮权限",
            "在“数据权限”页签分配采购组织",
            "把角色分配给用户并让其重新登录",
        ),
        permissions=READ_ADMIN_GUIDES,
    ),
    Doc(
        "开放接口创建销售订单返回 504",
        "configuration",
        "接口问题",
        "erp",
        "5.1, 5.2",
        "接口 504 网关超时 proxy_read_timeout 批量 API",
        "调用开放接口批量创建销售订单时返回 504 Gateway Timeout。",
        "网关读取超时 30 秒，而 200 行以上的订单逐行校验库存，处理时间超过了超时设置。",
        (
            "把单次请求的订单行控制在 100 行以内",
            "使用异步接口并轮询结果",
            "需要时请联系技术支持调整网关超时",
        ),
        synonyms="504, 网关超时, 接口超时",
        scenario="api-timeout",
    ),
    Doc(
        "网关超时参数与接口限流配置（运维）",
        "configuration",
        "接口问题",
        "erp",
        "5.x",
        "nginx proxy_read_timeout 限流 429 网关 运维",
        "运维调整网关超时和接口限流参数的标准做法。",
        "超时过短导致长请求 504，过长会占用连接；限流用于保护后端。",
        (
            "修改 proxy_read_timeout 为 120s 并 reload",
            "为批量接口单独配置 location 和超时",
            "限流按客户 AppKey 配置，超限返回 429",
            "变更前备份配置并在维护窗口执行",
        ),
        public=False,
        permissions=READ_ENGINEERING,
    ),
    Doc(
        "仓库 PDA 扫码无反应",
        "environment",
        "硬件故障",
        "pda",
        "固件 2.3",
        "PDA 扫码 无反应 扫描头 固件 HT-520",
        "手持终端按扫描键没有红光或扫不出条码。",
        "扫描头被禁用、固件异常，或扫描头硬件接触不良。",
        (
            "重启 PDA",
            "在“设置→扫描”中确认扫描头已启用",
            "清洁扫描窗口后再试",
            "仍无反应请提供设备序列号（SN），我们安排换机或返修",
        ),
        synonyms="扫不了, 扫码失败, 扫描无反应",
        scenario="pda-scanner",
    ),
    Doc(
        "钉钉收不到移动审批待办提醒",
        "configuration",
        "消息推送",
        "mobile",
        "",
        "钉钉 推送 待办提醒 AppSecret 收不到通知",
        "审批待办在系统里有，但钉钉不再推送提醒。",
        "钉钉管理员重置了应用的 AppSecret，系统中还是旧密钥，推送被拒绝。",
        (
            "请钉钉管理员在开放平台查看应用的 AppKey/AppSecret",
            "在“系统设置→第三方集成→钉钉”中更新",
            "点击“测试推送”确认能收到",
        ),
        synonyms="收不到提醒, 没有通知, 推送失败",
        scenario="push",
    ),
    Doc(
        "如何批量修改物料的计量单位",
        "feature",
        "操作咨询",
        "erp",
        "",
        "批量修改 计量单位 物料 模板 批量更新",
        "需要把一批物料的计量单位统一修改。",
        "单个修改效率低，系统提供批量更新模板。",
        (
            "在“物料管理→批量更新”下载模板",
            "填入物料编码和新计量单位",
            "上传模板并查看校验结果",
            "已有库存的物料需先做单位换算",
        ),
        scenario="uom-question",
    ),
    Doc(
        "报表按部门定时邮件推送（临时方案）",
        "feature",
        "功能需求",
        "report",
        "3.0",
        "定时推送 订阅 邮件 部门 报表",
        "希望报表按部门定时发到邮箱。",
        "当前版本暂不支持按部门订阅，已列入需求。",
        (
            "为每个部门保存一个带筛选条件的报表视图",
            "使用“个人订阅”每天定时发送到部门邮箱",
            "新版本上线后改用部门订阅",
        ),
        scenario="report-subscription",
    ),
    Doc(
        "员工账号被锁定无法登录",
        "configuration",
        "登录异常",
        "erp",
        "",
        "账号锁定 密码错误 解锁 登录失败",
        "员工登录时提示“账号已锁定”。",
        "连续输错密码 5 次，账号会被锁定 30 分钟。",
        (
            "等待 30 分钟后自动解锁",
            "或由贵公司管理员在“系统管理→用户管理”中解锁",
            "解锁后建议修改密码",
        ),
        synonyms="账号被锁, 锁定, 登录不了",
        scenario="account-locked",
    ),
    Doc(
        "浏览器提示证书不安全（SSL 证书过期）",
        "environment",
        "连接问题",
        "",
        "",
        "证书 过期 不安全 HTTPS NET::ERR_CERT_DATE_INVALID",
        "访问系统时浏览器提示“您的连接不是私密连接”。",
        "服务器的 SSL 证书过期或电脑时间不正确。",
        (
            "确认电脑日期时间正确",
            "如全公司都出现，请联系技术支持更新证书",
            "不要点击“继续访问”输入密码",
        ),
        synonyms="证书错误, 不安全, 私密连接",
    ),
    Doc(
        "系统升级前检查清单",
        "configuration",
        "升级维护",
        "erp",
        "5.2",
        "升级 检查清单 备份 维护窗口 回退",
        "升级到新版本前需要做哪些准备。",
        "升级涉及数据库结构变更，缺少备份和回退方案会放大风险。",
        (
            "确认升级窗口并通知用户",
            "完整备份数据库和配置目录",
            "在测试环境先演练升级",
            "准备回退方案",
            "升级后按核心业务场景验证",
        ),
        public=False,
    ),
    Doc(
        "页面白屏或按钮无反应",
        "environment",
        "功能异常",
        "",
        "",
        "白屏 空白 按钮无反应 缓存 浏览器 兼容",
        "打开系统页面一片空白，或点击按钮没有反应。",
        "浏览器缓存了旧版本文件，或使用了不兼容的浏览器/兼容模式。",
        (
            "按 Ctrl+F5 强制刷新",
            "清除浏览器缓存后重新登录",
            "使用 Chrome 或 Edge 最新版本",
            "360 等双核浏览器请切换到“极速模式”",
        ),
        synonyms="白屏, 空白页, 打不开, 按钮没反应",
    ),
    Doc(
        "功能异常的标准排查路径",
        "feature",
        "功能异常",
        "",
        "",
        "功能异常 报错 确认权限 恢复默认配置 重新登录",
        "某个功能报错或结果不正确时的标准排查顺序。",
        "多数功能异常来自权限变化、个人配置被改动或会话状态异常。",
        (
            "确认权限：是否刚调整过角色或组织",
            "恢复默认配置：重置个人列表/打印设置",
            "重新登录后再试",
            "仍异常请记录操作步骤与报错截图，按数据收集模板提供",
        ),
        public=False,
    ),
    Doc(
        "数据导入前的格式检查",
        "data",
        "数据导入",
        "",
        "",
        "导入 模板 格式 必填 日期格式 数据校验",
        "批量导入数据经常失败或部分行报错。",
        "模板列被改动、日期和数字格式不一致、必填项为空。",
        (
            "始终使用系统下载的最新模板",
            "不要增删或调整列顺序",
            "日期使用 YYYY-MM-DD 格式",
            "先导入 10 行试算，无误后再导入全部",
        ),
        synonyms="导入失败, 导入报错",
    ),
    Doc(
        "误删数据后能否从备份恢复",
        "data",
        "数据恢复",
        "",
        "",
        "误删 备份 恢复 数据恢复 回收站",
        "误删了一批业务数据，想从备份恢复。",
        "部分单据有回收站，其余需要从每日备份中单独恢复，涉及数据一致性评估。",
        (
            "先停止对相关数据的进一步操作",
            "在回收站中查找并还原",
            "回收站没有的，请提交工单说明删除时间和范围",
            "技术支持评估后在维护窗口中恢复",
        ),
        synonyms="误删, 删错了, 数据丢失",
    ),
    Doc(
        "收集日志：Windows 与 Linux 日志位置",
        "environment",
        "数据收集",
        "",
        "",
        "日志 路径 收集 logs 配置文件 截图",
        "技术支持请您提供日志时，日志在哪里。",
        "日志能还原问题发生时系统的状态，是定位问题的关键。",
        (
            "Windows：C:\\ProgramData\\Yunshu\\logs\\",
            "Linux：/var/log/yunshu/",
            "请提供问题发生前后各 1 小时的日志",
            "发送前请删除配置文件中的密码",
        ),
        synonyms="日志在哪, 日志路径",
    ),
    Doc(
        "电话支持标准话术与问题记录要点",
        "configuration",
        "服务规范",
        "",
        "",
        "话术 开场白 问候语 身份确认 记录要点",
        "电话支持的标准流程：开场白、确认身份、记录要点、确认理解。",
        "统一话术让客户感受一致，并保证关键信息一次记全。",
        (
            "开场白：“您好，这里是技术支持，请问有什么可以帮您？”",
            "确认身份：公司名称、联系人、联系方式",
            "记录要点：发生时间与频率、操作环境、现象、已尝试的步骤",
            "复述问题请客户确认，告知预计响应时间",
        ),
        public=False,
    ),
    Doc(
        "客户端版本与服务器版本不一致导致的报错",
        "configuration",
        "版本问题",
        "erp",
        "5.1, 5.2",
        "版本不一致 客户端 升级 报错 版本号",
        "服务器升级后，部分电脑的客户端报错或功能缺失。",
        "客户端没有随服务器升级，接口版本不匹配。",
        (
            "在“帮助→关于”中查看客户端版本",
            "与服务器版本对照（系统登录页底部）",
            "下载并安装对应版本的客户端",
        ),
        synonyms="版本不一致, 版本不匹配",
    ),
)


def _body(doc: Doc) -> str:
    steps = "\n".join(f"{i}. {s}" for i, s in enumerate(doc.steps, 1))
    return (
        f"## 问题描述\n\n{doc.problem}\n\n## 原因分析\n\n{doc.cause}\n\n"
        f"## 解决步骤\n\n{steps}\n\n## 截图示例\n\n{doc.shots or '—'}"
    )


def _grant(group_name: str, permission: str, users: list[User]) -> None:
    app, codename = permission.split(".")
    group, _ = Group.objects.get_or_create(name=group_name)
    group.permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    group.user_set.add(*users)


def load_demo(now: dt.datetime | None = None) -> int:
    """Creates the demo articles through the knowledge actions (versions, index); returns how
    many were made."""
    from supportdesk.core.demo_scenarios import SCENARIOS
    from supportdesk.search.documents import index_article

    if Article.objects.exists():
        return 0
    now = now or timezone.now()
    editor = User.objects.filter(role=Role.L2, is_active=True).order_by("id").first()
    lead = User.objects.filter(role=Role.LEAD, is_active=True).order_by("id").first()
    if editor is None:
        return 0
    # Who reads what: L2 and R&D engineers the engineering notes; one admin contact per
    # customer organization the administrator guides.
    _grant(ENGINEERS_GROUP, READ_ENGINEERING, list(User.objects.filter(role=Role.L2)))
    admins: dict[int | None, User] = {}
    for user in User.objects.filter(role=Role.CUSTOMER).order_by("id"):
        admins.setdefault(user.organization_id, user)
    _grant(CUSTOMER_ADMINS_GROUP, READ_ADMIN_GUIDES, list(admins.values()))

    products = {p.code: p for p in Product.objects.all()}
    subjects = {s.key: set(s.subjects) for s in SCENARIOS}
    solved = [Status.RESOLVED, Status.CLOSED, Status.ARCHIVED]
    made = 0
    for i, doc in enumerate(DOCS):
        article = do_create_article(
            {
                "title": doc.title,
                "body": _body(doc),
                "problem_type": doc.problem_type,
                "category": doc.category,
                "product": products.get(doc.product),
                "applicable_versions": doc.versions,
                "required_permissions": doc.permissions,
                "keywords": doc.keywords,
                "synonyms": doc.synonyms,
                "is_public": doc.public,
                "owner": lead if (lead and i % 3 == 0) else editor,
                # Spread over the month; a few overdue so the review flags show.
                "next_review_on": (now + dt.timedelta(days=(i * 7) % 40 - 5)).date(),
            },
            actor=editor,
            note="演示数据",
        )
        made += 1
        if doc.scenario:
            tickets = list(
                Ticket.objects.filter(
                    subject__in=subjects.get(doc.scenario, ()), status__in=solved
                ).order_by("id")[:5]
            )
            article.linked_tickets.add(*tickets)
            markable = [t for t in tickets if t.status in (Status.RESOLVED, Status.CLOSED)]
            if markable and lead is not None and doc.public and i % 4 == 0:
                # Marked at the demo's "now" without a timeline entry: the demo's history
                # stays in its past (do_mark_typical_case would stamp the real time).
                TypicalCase.objects.get_or_create(
                    ticket=markable[0], defaults={"marked_by": lead, "marked_at": now}
                )
        Article.objects.filter(pk=article.pk).update(created_at=now, updated_at=now)
        # Indexed now, in the loader's transaction: the demo finds them before the worker runs.
        index_article(article.pk)
    return made
