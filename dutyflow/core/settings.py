"""The one place dutyflow reads its configuration from (environment, prefix DUTYFLOW_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr
from pydantic_settings import BaseSettings, SettingsConfigDict

from dutyflow.core.office import Office, issue_refusal, read_office

OFFICE_FILES = (Path("office.toml"), Path("office.yaml"), Path("office.yml"))


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

    # The office's identity (发文机关, address, telephone, contact, 约谈人, where answers go)
    # lives in one file, read by `office` below: office.toml (or office.yaml) in the working
    # folder unless DUTYFLOW_OFFICE_FILE names another. samples/office.toml is an example.
    office_file: Path | None = None
    # Talks (约谈): booked on working days. individual: one slot each, in order, a working day
    # at a time; collective: one 集体约谈 session for all the period's talks.
    talk_mode: Literal["individual", "collective"] = "individual"
    talk_lead_days: int = 5  # working days between the notice's date and the first talk
    talk_slots: list[str] = Field(default_factory=lambda: [
        "上午9:00", "上午10:00", "上午11:00", "下午3:00", "下午4:00"])
    collective_talk_time: str = "上午9:00"
    talk_receipt_days: int = Field(default=2, ge=0)  # the 回执 is due this many working days before
    talk_parent_secretary_attends: bool = True  # the 机关党委 secretary attends the talk
    # Working days: the office's holiday file (YAML, the State Council's yearly notice: 放假 and
    # 调休上班 per year, as dutyflow/core/holidays.yaml), whose years replace the shipped ones.
    # A year no file gives is estimated, and warned of from this many days before it begins.
    holiday_file: Path | None = None
    holiday_warning_days: int = Field(default=60, ge=0)
    # The mid-month warning lists the answers due within this many working days of its date
    warning_due_days: int = Field(default=5, ge=1)
    # Who may decide on cases: the accounts made by `dutyflow reviewer add` (which can log into
    # the desk), and these names (JSON in DUTYFLOW_REVIEWERS), which can decide from the CLI only.
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
    # Without Dask, a month's notices are drafted by this many processes (services/draft_pool);
    # 0: one per core, each with a few hundred notices at least; 1: in the cycle's own process
    drafting_processes: int = Field(default=0, ge=0)
    # The review desk (`dutyflow desk`, and `dutyflow serve` next to the Prefect server).
    desk_host: str = "127.0.0.1"  # bind address; put the office's TLS reverse proxy in front
    desk_port: int = 8300
    desk_url: str = ""  # the address reviewers open (behind a proxy); default http://host:port
    # A reverse proxy with single sign-on: requests from these addresses may name the reviewer
    # in the X-Remote-User header instead of logging in (the name must be an active account).
    desk_trusted_proxies: list[str] = Field(default_factory=list)
    desk_secret_file: Path = Path("desk-secret")  # signs session cookies; made on first start
    desk_secure_cookies: bool = False  # true behind HTTPS: cookies only travel encrypted
    desk_session_hours: int = 10
    # The login's limits (dutyflow/services/reviewers.py): failed logins per name from one
    # address, per name from anywhere, and per address over all names, within the window;
    # attempts refused while a limit holds do not count. Password checks run at most
    # desk_login_concurrency at once; more are refused at once (each argon2 check takes 64 MiB).
    desk_login_attempts: int = 5
    desk_login_name_attempts: int = 30
    desk_login_address_attempts: int = 20
    desk_login_window_minutes: float = 15
    desk_login_concurrency: int = Field(default=2, ge=1)
    desk_page_size: int = 50
    # the branches' portal and API: evidence files an answer may carry, each and how many
    portal_upload_mb: int = Field(default=20, ge=1)
    portal_upload_files: int = Field(default=10, ge=1)
    # Notifications of issued documents (`send-notifications`): by email when an SMTP host is
    # set and the account has an address, and through each Prefect notification block named
    # here ("custom-webhook/dangwei-robot,custom-webhook/dingtalk", type slug/name). A failed
    # one is tried again after notify_retry_minutes, doubling up to notify_retry_max_minutes,
    # and after notify_attempts tries marked failed (shown at the desk, never dropped).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_starttls: bool = False
    notify_blocks: str = ""
    notify_attempts: int = Field(default=5, ge=1)
    notify_retry_minutes: float = Field(default=1, gt=0)
    notify_retry_max_minutes: float = Field(default=60, gt=0)
    # the follow-up view marks an answer due within this many working days (临期)
    desk_due_soon_working_days: int = Field(default=5, ge=0)
    # Times shown to people (the desk, `dutyflow audit`); stored times are UTC
    timezone: str = "Asia/Shanghai"
    # With no Prefect API configured (PREFECT_API_URL), the commands that run flows share a
    # local Prefect server kept between them (dutyflow/flows/kept_api.py), stopped after this
    # many idle minutes or by `dutyflow server stop`; off: a server per command, as before
    prefect_keep_server: bool = True
    prefect_server_idle_minutes: float = Field(default=20, gt=0)
    # The process worker of `dutyflow serve`: how many flow runs it executes at once
    worker_limit: int = 4
    # A PDF view beside each issued .docx, printed by LibreOffice when it is installed
    pdf_views: bool = True
    # A workbook that expands beyond this is refused (a zip bomb; 20,000 branches are ~60 MiB,
    # ten provinces in one workbook need about 600)
    max_workbook_mib: int = Field(default=512, ge=1)
    templates_dir: Path | None = Field(
        default=None, description="A folder of notice templates to use instead of the bundled ones."
    )
    _office: Office | None = PrivateAttr(default=None)

    @property
    def office_path(self) -> Path:
        """The office file: the one named, or the first of office.toml/.yaml in the folder."""
        if self.office_file is not None:
            return self.office_file
        return next((p for p in OFFICE_FILES if p.is_file()), OFFICE_FILES[0])

    @property
    def office(self) -> Office:
        """The office's identity, read and validated on first use (OfficeError when the file
        is wrong); without the file, the examples, with which only drafts are made."""
        if self._office is None:
            path = self.office_path
            self._office = read_office(path) if path.is_file() else Office()
        return self._office

    def issue_refusal(self) -> str | None:
        """Why nothing may be issued yet (no office file, an example value left), or None."""
        path = self.office_path
        return issue_refusal(self.office, path, path.is_file())

    @property
    def notify_block_names(self) -> list[str]:
        """The Prefect notification blocks every issued document is announced through."""
        return [n.strip() for n in self.notify_blocks.replace("，", ",").split(",") if n.strip()]

    def desk_address(self) -> str:
        """Where reviewers open the desk: DUTYFLOW_DESK_URL, or the bind address."""
        return (self.desk_url or f"http://{self.desk_host}:{self.desk_port}").rstrip("/")


settings = Settings()


def reload_settings() -> Settings:
    """Re-read the environment into the module-level instance (tests and the CLI use this)."""
    fresh = Settings()
    for name in Settings.model_fields:
        setattr(settings, name, getattr(fresh, name))
    settings._office = None  # read again, from the file now named
    return settings
