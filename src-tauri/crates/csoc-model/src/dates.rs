//! Dates as people read them in a terminal, a log entry or an export: "12 Dec 2026, 14:05 UTC"
//! (the window shows local time; a headless terminal may be anywhere, so UTC is named).

/// `unix_ms` as "12 Dec 2026, 14:05 UTC"; a time outside the calendar's range as its number.
pub fn utc(unix_ms: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix_ms.div_euclid(1000)) {
        Ok(t) => {
            let month = t.month().to_string();
            format!("{} {} {}, {:02}:{:02} UTC", t.day(), &month[..3], t.year(), t.hour(), t.minute())
        }
        Err(_) => format!("{unix_ms} (unix ms)"),
    }
}

/// How long hourly probe aggregates and the activity log are kept: 90 days.
pub const HOURLY_RETENTION_MS: i64 = 90 * 24 * 3600 * 1000;

#[cfg(test)]
mod tests {
    #[test]
    fn reads_as_a_date() {
        assert_eq!(super::utc(1_796_306_700_000), "3 Dec 2026, 14:05 UTC");
        assert_eq!(super::utc(0), "1 Jan 1970, 00:00 UTC");
    }
}
