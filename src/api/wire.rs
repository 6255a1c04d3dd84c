//! Writing follow-ups back in the API's own JSON shape (field names and formats as documented).
//!
//! Used by the CLI's JSON output and by the simulator, so both speak exactly what the vendor
//! documents: dates `YYYY-MM-DDThh:mm:ss`, times `hh:mm:ss`, codes as their letters.

use chrono::{NaiveDateTime, NaiveTime};
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::model::{Column, Followup, Value};

/// Formats a date-time as the API does: `2023-09-01T00:00:00`.
pub fn format_datetime(value: NaiveDateTime) -> String {
    value.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Formats a time of day as the API does: `14:30:00`.
pub fn format_time(value: NaiveTime) -> String {
    value.format("%H:%M:%S").to_string()
}

impl Serialize for Followup {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(Column::ALL.len()))?;
        for column in Column::ALL {
            let key = column.wire_name();
            match self.value(column) {
                Value::Empty => map.serialize_entry(key, &())?,
                Value::Int(v) => map.serialize_entry(key, &v)?,
                Value::Text(v) => map.serialize_entry(key, v)?,
                Value::Code(code, _) => map.serialize_entry(key, code)?,
                Value::DateTime(v) => map.serialize_entry(key, &format_datetime(v))?,
                Value::Time(v) => map.serialize_entry(key, &format_time(v))?,
            }
        }
        map.end()
    }
}
