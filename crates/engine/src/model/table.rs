//! Outputs as named values: each output type lists its own fields under the names an embedding
//! shows (`IntoTable`), so that the Python bindings convert every output with one generic
//! function and a new counter or column is named here, beside its type, and nowhere else.

/// One column of one element type; moved, never copied, into the embedding's arrays.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    F64(Vec<f64>),
}

/// A named value of an output.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Column(Column),
    /// A count (or any non-negative integer figure).
    Int(u64),
    /// A real figure: seconds, an average.
    Float(f64),
    /// Nested named values (a dict for Python).
    Table(Table),
    /// A list of tables (one per stream, say).
    Tables(Vec<Table>),
}

/// Named values in a fixed order (the order an embedding shows them in).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table(pub Vec<(&'static str, Value)>);

impl Table {
    pub fn new(fields: Vec<(&'static str, Value)>) -> Self {
        Table(fields)
    }

    /// The value named `name`, if any.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().map(|(n, _)| *n)
    }
}

/// An output that names its fields.
pub trait IntoTable {
    fn into_table(self) -> Table;
}

/// A table built by hand (the per-period series) is its own output.
impl IntoTable for Table {
    fn into_table(self) -> Table {
        self
    }
}

macro_rules! column_from {
    ($($t:ty => $variant:ident),* $(,)?) => {$(
        impl From<Vec<$t>> for Value {
            fn from(v: Vec<$t>) -> Self {
                Value::Column(Column::$variant(v))
            }
        }
    )*};
}

column_from!(u8 => U8, u16 => U16, u32 => U32, u64 => U64, i32 => I32, i64 => I64, f64 => F64);

impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::Int(v)
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(u64::from(v))
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

impl From<Table> for Value {
    fn from(t: Table) -> Self {
        Value::Table(t)
    }
}

impl From<Vec<Table>> for Value {
    fn from(t: Vec<Table>) -> Self {
        Value::Tables(t)
    }
}

/// `Table::new(vec![("name", value.into()), ...])`, shorter.
macro_rules! table {
    ($($name:literal => $value:expr),* $(,)?) => {
        $crate::model::table::Table::new(vec![$(($name, $crate::model::table::Value::from($value))),*])
    };
}

pub(crate) use table;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::output::{RecordTable, RowTable, Tables};
    use crate::model::report::{AccountStats, FunctionStats, Report};

    #[test]
    fn a_row_table_has_event_age_only_for_events_even_when_empty() {
        for (events, n) in [(true, 0), (true, 3), (false, 0), (false, 3)] {
            let t = Tables::new(RowTable::new(0, n, events).unwrap(), vec![RecordTable::new(0, 2).unwrap()]).into_table();
            assert_eq!(t.get("event_age").is_some(), events);
            let names: Vec<_> = t.names().collect();
            assert_eq!(names[names.len() - 2..], ["records", "earlier"]);
            let Some(Value::Tables(records)) = t.get("records") else { panic!("records is a list of tables") };
            assert_eq!(records[0].names().collect::<Vec<_>>(), ["outcome", "attempts", "receives", "start", "end"]);
        }
    }

    #[test]
    fn a_report_has_one_column_per_counter_and_seconds() {
        let stats = FunctionStats { throttles_by_reason: [1, 2, 3, 0, 0], max_concurrency: 4, ..FunctionStats::default() };
        let report = Report { horizon: 1_500_000, functions: vec![stats.clone(), stats], account: AccountStats::default() };
        let t = report.into_table();
        assert_eq!(t.get("horizon"), Some(&Value::Float(1.5)));
        let Some(Value::Table(f)) = t.get("functions") else { panic!("functions is a table") };
        assert_eq!(f.get("throttles_unreserved"), Some(&Value::Column(Column::U64(vec![2, 2]))));
        assert_eq!(f.get("max_concurrency"), Some(&Value::Column(Column::U64(vec![4, 4]))));
        assert_eq!(f.names().count(), 26);
    }
}
