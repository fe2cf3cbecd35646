"""SQLAlchemy ORM models of the desktop database. No Qt here."""

from .base import Base
from .estimates import (
    Estimate,
    EstimateLine,
    EstimateOverhead,
    EstimateTemplate,
    MeasurementRowRecord,
    Project,
    WorkflowEvent,
)
from .masters import Overhead, SorSubType, SorTypeRow, Tenant, Unit, UnitAlias, Variant
from .settings import AppSetting, Counter
from .sor import RateAnalysis, RateAnalysisCharge, RateAnalysisLine, Sor, SorRate
from .sync import (
    NumberBlock,
    OutboxOperation,
    PulledChange,
    SyncedRecord,
    SyncState,
    UploadedPhoto,
)
from .users import User
from .works import MbLine, MbPhoto, MbRow, MeasurementBook, WorkOrder

__all__ = [
    "AppSetting",
    "Base",
    "Counter",
    "Estimate",
    "EstimateLine",
    "EstimateOverhead",
    "EstimateTemplate",
    "MbLine",
    "MbPhoto",
    "MbRow",
    "MeasurementBook",
    "MeasurementRowRecord",
    "NumberBlock",
    "OutboxOperation",
    "Overhead",
    "Project",
    "PulledChange",
    "RateAnalysis",
    "RateAnalysisCharge",
    "RateAnalysisLine",
    "Sor",
    "SorRate",
    "SorSubType",
    "SorTypeRow",
    "SyncState",
    "SyncedRecord",
    "Tenant",
    "Unit",
    "UnitAlias",
    "UploadedPhoto",
    "User",
    "Variant",
    "WorkOrder",
    "WorkflowEvent",
]
