//! What the figures were measured on: CPU, load, CPU time used.

pub(crate) fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| info.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split_once(':')).map(|(_, v)| v.trim().to_owned()))
        .unwrap_or_else(|| "CPU model unknown".to_owned())
}

/// Machine-wide and own CPU time in clock ticks (`/proc/stat`, `/proc/self/stat`), to
/// tell how much of the machine other processes took during a measurement.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CpuTicks {
    pub(crate) total: u64,
    pub(crate) busy: u64,
    pub(crate) own: u64,
}

pub(crate) fn cpu_ticks() -> Option<CpuTicks> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).take(8).filter_map(|f| f.parse().ok()).collect();
    let [user, nice, system, idle, iowait, irq, softirq, steal] = fields.try_into().ok()?;
    let total = user + nice + system + idle + iowait + irq + softirq + steal;
    let own_stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // After the command name: state is field 3, utime 14 and stime 15.
    let rest: Vec<&str> = own_stat.rsplit_once(')')?.1.split_whitespace().collect();
    let own = rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?;
    Some(CpuTicks { total, busy: total - idle - iowait, own })
}

impl CpuTicks {
    pub(crate) fn share_until(self, end: Self) -> String {
        let total = end.total.saturating_sub(self.total).max(1) as f64;
        let own = end.own.saturating_sub(self.own) as f64;
        let others = end.busy.saturating_sub(self.busy) as f64 - own;
        format!(
            "this process (server and load) {:.0} %, other processes {:.0} % of all cores",
            100.0 * own / total,
            100.0 * others.max(0.0) / total
        )
    }
}

/// The 1, 5 and 15 minute load averages, as the kernel reports them.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Today's date, `YYYY-MM-DD` (UTC).
pub(crate) fn today() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!("{:04}-{:02}-{:02}", now.year(), u8::from(now.month()), now.day())
}
