"""The priority scheme and problem categories the guides use (R-IN-5, R-TK-2).

Filled into empty tables by migration 0003 and by the test cast (whose transactional tests
flush tables between runs); admins may rename, add or deactivate entries afterwards.
"""

from __future__ import annotations

from typing import Any

PRIORITIES = [
    # code, zh, en, rank, impact, colour, first response (min), resolution (min), default
    ("P0", "紧急", "Urgent", 0, "业务中断", "red", 15, 4 * 60, False),
    ("P1", "高", "High", 1, "核心功能受影响", "orange", 30, 8 * 60, False),
    ("P2", "中", "Medium", 2, "次要功能异常", "yellow", 4 * 60, 3 * 24 * 60, True),
    ("P3", "低", "Low", 3, "改进建议", "gray", 24 * 60, 10 * 24 * 60, False),
]
CATEGORIES = [
    ("configuration", "配置类", "Configuration", 1),
    ("function", "功能类", "Function", 2),
    ("environment", "环境类", "Environment", 3),
    ("data", "数据类", "Data", 4),
]


def fill_shipped_scheme(priority_model: Any, category_model: Any) -> None:
    """Takes the models as arguments so migrations can pass their historical versions."""
    if not priority_model.objects.exists():
        for code, zh, en, rank, impact, color, response, resolution, default in PRIORITIES:
            priority_model.objects.create(
                code=code,
                name=zh,
                name_en=en,
                rank=rank,
                description=impact,
                color=color,
                first_response_minutes=response,
                resolution_minutes=resolution,
                is_default=default,
            )
    if not category_model.objects.exists():
        for code, zh, en, order in CATEGORIES:
            category_model.objects.create(code=code, name=zh, name_en=en, ordering=order)
