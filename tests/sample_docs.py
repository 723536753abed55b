"""The small mixed folder the engine, CLI and desktop-app tests share: files whose right answers are known."""

from __future__ import annotations

from pathlib import Path


def write_sample_docs(d: Path) -> Path:
    """An invoice with an identifier, an English and a Korean note on passports, a recipe."""
    d.mkdir(parents=True, exist_ok=True)
    (d / "invoice.txt").write_text(
        "Invoice INV-2024-0042 from Northwind Traders.\nAmount due: 1,250 EUR, payable within 30 days.\n", "utf-8"
    )
    (d / "passport.md").write_text(
        "# Renewing a passport\n\nPassport renewals take about three weeks at the city office. "
        "Bring two photographs and the old passport.\n",
        "utf-8",
    )
    (d / "여권.md").write_text(
        "# 여권 발급 안내\n\n여권을 발급받으려면 구청 민원실에 가야 합니다. 발급에는 보통 2주가 걸립니다.\n", "utf-8"
    )
    (d / "recipe.txt").write_text(
        "Tomato soup: roast the tomatoes with garlic, blend with stock, season with basil.\n", "utf-8"
    )
    return d
