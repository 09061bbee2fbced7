"""The one place dutyflow reads its configuration from (environment, prefix DUTYFLOW_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Reviewer(BaseModel):
    """A person allowed to approve or reject actions."""

    name: str
    role: str = ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DUTYFLOW_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///dutyflow.db"
    output_dir: Path = Path("out")
    # Scheduled runs read the reports dropped in <inbox_dir>/<period>/ (e.g. inbox/2026-10/).
    inbox_dir: Path = Path("inbox")
    policy_file: Path | None = Field(
        default=None, description="A policy YAML to use instead of the bundled default."
    )

    # The issuing organ (发文机关): used by every notice.
    issuer_name: str = "中共某市市直机关工作委员会"
    issuer_mark: str = "中共某市市直机关工委文件"
    issuer_prefix: str = "市直工委"
    issuer_address: str = "某市人民路1号市委大院3号楼"
    issuer_contact: str = "组织部 0000-00000000"
    issuer_signature: str = "中共某市市直机关工作委员会"
    printing_office: str = "中共某市市直机关工作委员会办公室"  # the 印发 line
    reply_days: int = 10  # working days a notice gives for a written reply
    talk_place: str = "市直机关工委第一会议室"
    talk_lead_days: int = 5  # days between the notice's date and the first talk
    # Talks of one period are booked one after another into these slots, a day at a time.
    talk_slots: list[str] = Field(default_factory=lambda: [
        "上午9:00", "上午10:00", "上午11:00", "下午3:00", "下午4:00"])
    # Who may decide on actions: JSON in DUTYFLOW_REVIEWERS, e.g. [{"name": "张主任", "role": "..."}].
    reviewers: list[Reviewer] = Field(default_factory=lambda: [
        Reviewer(name="张主任", role="市直机关工委组织部部长"),
        Reviewer(name="刘审核", role="市直机关工委组织部审核员"),
    ])
    # Scale-out: evaluation and drafting shard by organization subtree. With a Dask scheduler
    # address (tcp://host:8786) shards run on that cluster; with dask_workers > 0 on a local
    # cluster of that many processes; otherwise in this process, one after another.
    dask_address: str | None = None
    dask_workers: int = 0
    shards: int = 0  # 0: two per Dask worker, or 1 without Dask
    templates_dir: Path | None = Field(
        default=None, description="A folder of notice templates to use instead of the bundled ones."
    )


settings = Settings()


def reload_settings() -> Settings:
    """Re-read the environment into the module-level instance (tests and the CLI use this)."""
    fresh = Settings()
    for name in Settings.model_fields:
        setattr(settings, name, getattr(fresh, name))
    return settings
