//! The log file writer: one file a day (`gen3-csoc.log.YYYY-MM-DD`, UTC), each created private
//! to the user (0600) at the moment the day turns, and the oldest removed beyond a count.
//!
//! Why not tracing-appender's rolling writer: it creates each new day's file with the process
//! umask (0644 on most systems), so every rotation would leave a log readable by others.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use time::Date;

pub(crate) struct DailyFile {
    dir: PathBuf,
    prefix: String,
    keep: usize,
    today: Box<dyn Fn() -> Date + Send>,
    open: Option<(Date, File)>,
}

impl DailyFile {
    /// Writes into `dir` (created 0700 by the caller), keeping the newest `keep` files.
    pub(crate) fn new(dir: PathBuf, prefix: &str, keep: usize) -> Self {
        Self::with_clock(dir, prefix, keep, Box::new(|| time::OffsetDateTime::now_utc().date()))
    }

    fn with_clock(dir: PathBuf, prefix: &str, keep: usize, today: Box<dyn Fn() -> Date + Send>) -> Self {
        Self { dir, prefix: prefix.to_string(), keep, today, open: None }
    }

    /// The file for today, opened (and created 0600) when the day changed since the last line.
    fn file(&mut self) -> std::io::Result<&mut File> {
        let today = (self.today)();
        if self.open.as_ref().is_none_or(|(day, _)| *day != today) {
            let file = crate::paths::create_private_file(&self.dir.join(format!("{}.{today}", self.prefix)))?;
            self.open = Some((today, file));
            self.remove_oldest();
        }
        match &mut self.open {
            Some((_, file)) => Ok(file),
            None => Err(std::io::Error::other("no log file is open")),
        }
    }

    /// Removes the oldest daily files beyond `keep` (their names sort by date).
    fn remove_oldest(&self) {
        let dated = format!("{}.", self.prefix);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(&dated))
            .map(|e| e.path())
            .collect();
        files.sort();
        let extra = files.len().saturating_sub(self.keep);
        for old in &files[..extra] {
            if let Err(e) = std::fs::remove_file(old) {
                eprintln!("gen3-csoc: could not remove the old log file {}: {e}", old.display());
            }
        }
    }
}

impl Write for DailyFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file()?.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.open {
            Some((_, file)) => file.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::sync::{Arc, Mutex};

    use super::*;

    fn mode(p: &std::path::Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    /// Each day's file is created 0600, also when the day turns while the app runs, and only the
    /// newest `keep` files stay.
    #[test]
    fn every_rotated_file_is_private_and_old_ones_go() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        crate::paths::create_private_dir(&logs).unwrap();
        let day = Arc::new(Mutex::new(Date::from_calendar_date(2026, time::Month::December, 30).unwrap()));
        let clock = day.clone();
        let mut log = DailyFile::with_clock(logs.clone(), "app.log", 3, Box::new(move || *clock.lock().unwrap()));
        for n in 0..5 {
            writeln!(log, "line on day {n}").unwrap();
            let next = day.lock().unwrap().next_day().unwrap();
            *day.lock().unwrap() = next;
        }
        log.flush().unwrap();
        let mut names: Vec<String> =
            std::fs::read_dir(&logs).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into()).collect();
        names.sort();
        assert_eq!(names, ["app.log.2027-01-01", "app.log.2027-01-02", "app.log.2027-01-03"]);
        for name in &names {
            assert_eq!(mode(&logs.join(name)), 0o600, "{name}");
        }
        assert_eq!(mode(&logs), 0o700);
        let last = std::fs::read_to_string(logs.join("app.log.2027-01-03")).unwrap();
        assert_eq!(last, "line on day 4\n");
    }
}
