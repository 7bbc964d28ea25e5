# SPDX-License-Identifier: GPL-3.0-or-later
"""perfdash producer SDK for Python (standard library only, Python >= 3.9).

Run / timed_run / step   workflow runs and their steps, sent as `run` records (with a running sampler's telemetry)
ModuleMetrics            operations as `op` records, with session statistics; api_call() and notification() as
                         `api_call` and `notification` records
Sampler                  a background sampler; by default this process's CPU and memory as `sample` records; your
                         own samples, timestamped, optionally as gauges (series=)
RecordsClient            native NDJSON records to the collector's ingest.sock
StatsdClient             StatsD/DogStatsD lines over UDP or a Unix datagram socket
config / set_log_hook    PERFDASH_ENABLED, the config file (~/.config/perfdash/client.conf), where log lines go
"""
from ._clock import Clock
from ._config import Config, config, reload_config, reset_log_hook, set_log_hook
from ._format import format_seconds, iso_local, iso_utc, sanitize_name, truncate_error
from .metrics import ApiCall, ModuleMetrics, Notification, Operation, SessionStats, error_category, resident_memory_mb
from .records import RecordsClient, default_records, reset_default_records
from .run import PerformanceRecord, Run, StepRecord, current_run, step, timed_run
from .sampler import ProcessReader, ProcessSample, Sampler, TimedSample, current_sampler
from .statsd import StatsdClient

__version__ = "0.1.0"

__all__ = [
    "ApiCall", "Clock", "Config", "ModuleMetrics", "Notification", "Operation", "PerformanceRecord", "ProcessReader",
    "ProcessSample", "RecordsClient", "Run", "Sampler", "SessionStats", "StatsdClient", "StepRecord", "TimedSample",
    "config", "current_run", "current_sampler", "default_records", "error_category", "format_seconds", "iso_local",
    "iso_utc", "reload_config", "reset_default_records", "reset_log_hook", "resident_memory_mb", "sanitize_name",
    "set_log_hook", "step", "timed_run", "truncate_error",
]
