"""The guides' appendix as shipped content: the basic checklist (R-DX-1) and the three
troubleshooting paths (R-DX-2: 连接问题, 功能异常, 速度缓慢). Admins edit or extend them."""

from typing import Any

SHIPPED = [
    ("基础检查清单", "checklist", "", "",
     "网络测试：能否访问外网和服务器地址（ping / 浏览器打开）\n"
     "软件版本：确认客户端与服务器的版本号\n"
     "系统环境：操作系统、浏览器及其版本\n"
     "重启：重启软件或设备后问题是否仍然存在"),
    ("连接问题", "path", "连接问题", "无法连接、连接超时、频繁断线",
     "检查网络配置\n重启路由器\n更换网络\n检查防火墙"),
    ("功能异常", "path", "功能异常", "功能报错、按钮无反应、结果不正确",
     "确认权限\n恢复默认配置\n重新登录"),
    ("速度缓慢", "path", "速度缓慢", "打开慢、卡顿、响应时间长",
     "清除缓存\n关闭后台程序\n优化网络"),
]  # fmt: skip


DATA_REQUESTS = [
    ("通用数据收集",
     "问题截图：完整窗口，包含报错信息和右下角时间\n"
     "应用日志：Windows 在 C:\\ProgramData\\Yunshu\\logs\\，"
     "Linux 在 /var/log/yunshu/（最近 3 天）\n"
     "配置文件：安装目录下的 config/app.ini（请删除其中的密码）\n"
     "环境信息：操作系统版本、浏览器及版本、软件版本号"),
    ("网络连接问题数据",
     "ping 服务器地址的结果截图\n"
     "tracert（Windows）或 traceroute（Linux/macOS）到服务器的结果\n"
     "客户端网络配置：ipconfig /all 或 ip addr 的输出"),
]  # fmt: skip


def fill_shipped_data_requests(template_model: Any) -> None:
    for order, (name, items) in enumerate(DATA_REQUESTS):
        template_model.objects.get_or_create(
            name=name, defaults={"items": items, "ordering": order}
        )


def fill_shipped_playbooks(playbook_model: Any) -> None:
    """Used by the data migration (with the historical model) and by tests."""
    for order, (name, kind, category, symptom, steps) in enumerate(SHIPPED):
        playbook_model.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "category": category, "symptom": symptom,
                      "steps": steps, "ordering": order},
        )  # fmt: skip
