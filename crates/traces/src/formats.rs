//! The CSV formats, by the columns each reads (docs/replay.md).

use std::path::Path;

use crate::csv::{read_csv, Kind, Spec, Table};
use crate::Error;

use Kind::{Duration, Flag, Number, Text};

/// Azure Functions 2021 (`app,func,end_timestamp,duration`, seconds).
pub const AZURE2021: &[Spec] = &[
    Spec::required("app", Text),
    Spec::required("func", Text),
    Spec::required("end_timestamp", Number),
    Spec::required("duration", Duration),
];

/// Azure Functions 2019 invocation counts: the function's keys and trigger, then one count per
/// minute from column `1` on.
pub const AZURE2019_INVOCATIONS: &[Spec] = &[
    Spec::required("HashOwner", Text),
    Spec::required("HashApp", Text),
    Spec::required("HashFunction", Text),
    Spec::required("Trigger", Text),
];

/// Azure Functions 2019 durations (milliseconds): per function, the percentiles of its
/// execution time.
pub const AZURE2019_DURATIONS: &[Spec] = &[
    Spec::required("HashOwner", Text),
    Spec::required("HashApp", Text),
    Spec::required("HashFunction", Text),
    Spec::optional("Average", Number),
    Spec::optional("Count", Number),
    Spec::required("percentile_Average_0", Duration),
    Spec::required("percentile_Average_1", Duration),
    Spec::required("percentile_Average_25", Duration),
    Spec::required("percentile_Average_50", Duration),
    Spec::required("percentile_Average_75", Duration),
    Spec::required("percentile_Average_99", Duration),
    Spec::required("percentile_Average_100", Duration),
];

/// Per-request measurement logs (pacslab): the client's times (epoch seconds), AWS's duration
/// (milliseconds), the cold flag and the execution environment's id.
pub const REQUEST_LOG: &[Spec] = &[
    Spec::required("client_start_time", Number),
    Spec::optional("client_elapsed_time", Duration),
    Spec::required("aws_duration", Duration),
    Spec::optional("aws_billed_duration", Number),
    Spec::optional("is_cold", Flag),
    Spec::optional("inst_id", Text),
    Spec::optional("vm_id", Text),
];

/// The first per-minute column of the Azure 2019 invocation counts.
pub const AZURE2019_FIRST_MINUTE: &str = "1";

pub fn azure2021(path: &Path) -> Result<Table, Error> {
    read_csv(path, AZURE2021, None)
}

pub fn azure2019_invocations(path: &Path) -> Result<Table, Error> {
    read_csv(path, AZURE2019_INVOCATIONS, Some(AZURE2019_FIRST_MINUTE))
}

pub fn azure2019_durations(path: &Path) -> Result<Table, Error> {
    read_csv(path, AZURE2019_DURATIONS, None)
}

pub fn request_log(path: &Path) -> Result<Table, Error> {
    read_csv(path, REQUEST_LOG, None)
}
