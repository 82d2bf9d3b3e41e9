//! A PostgreSQL server of the test's own (initdb + pg_ctl in a temp directory, on a free
//! port, trust authentication), so a test can stop and start it without touching the
//! machine's shared server. Tests run as root here; PostgreSQL refuses root, so it runs
//! as the `postgres` user through `runuser`. Unavailable binaries or user: the test is
//! skipped with the reason printed.

use std::path::PathBuf;
use std::process::{Command, Output};

pub struct PrivatePg {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    running: bool,
}

fn newest_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql").ok()?.filter_map(|e| e.ok().map(|e| e.path().join("bin"))).collect();
    versions.sort();
    versions.into_iter().rev().find(|b| b.join("initdb").is_file() && b.join("pg_ctl").is_file())
}

fn as_postgres(bin: &std::path::Path, tool: &str, args: &[&str]) -> std::io::Result<Output> {
    Command::new("runuser").args(["-u", "postgres", "--"]).arg(bin.join(tool)).args(args).output()
}

fn skip(reason: &str) -> Option<PrivatePg> {
    eprintln!("\n!!!! SKIPPED: no private PostgreSQL ({reason}) !!!!\n");
    None
}

impl PrivatePg {
    /// A fresh cluster, started; `None` (printed) when it cannot be made here.
    pub fn start() -> Option<Self> {
        let Some(bin) = newest_bin() else { return skip("no /usr/lib/postgresql/*/bin/initdb") };
        let dir = tempfile::tempdir().expect("temp dir");
        // The postgres user must reach the directory (tempdir is 0700, root's).
        let _ = Command::new("chmod").arg("0777").arg(dir.path()).status();
        let data = dir.path().join("data");
        let data_s = data.display().to_string();
        match as_postgres(&bin, "initdb", &["-D", &data_s, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]) {
            Ok(o) if o.status.success() => {}
            Ok(o) => return skip(&format!("initdb failed: {}", String::from_utf8_lossy(&o.stderr).trim())),
            Err(e) => return skip(&format!("runuser: {e}")),
        }
        let mut pg = Self { bin, dir, port: super::free_port(), running: false };
        pg.start_server();
        Some(pg)
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn start_server(&mut self) {
        let data = self.dir.path().join("data").display().to_string();
        let log = self.dir.path().join("pg.log").display().to_string();
        let opts = format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", self.port, self.dir.path().display());
        let out = as_postgres(&self.bin, "pg_ctl", &["-D", &data, "-l", &log, "-o", &opts, "-w", "-t", "60", "start"]).expect("pg_ctl");
        assert!(out.status.success(), "pg_ctl start: {}\n{}", String::from_utf8_lossy(&out.stderr), std::fs::read_to_string(&log).unwrap_or_default());
        self.running = true;
    }

    /// Starts the stopped server again (same port, same data).
    pub fn restart(&mut self) {
        self.start_server();
    }

    /// Stops the server (`-m fast`: open connections are closed, as a crash or a
    /// failover does to clients).
    pub fn stop(&mut self) {
        let data = self.dir.path().join("data").display().to_string();
        let out = as_postgres(&self.bin, "pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]).expect("pg_ctl");
        assert!(out.status.success(), "pg_ctl stop: {}", String::from_utf8_lossy(&out.stderr));
        self.running = false;
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        if self.running {
            let data = self.dir.path().join("data").display().to_string();
            let _ = as_postgres(&self.bin, "pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
        }
    }
}
