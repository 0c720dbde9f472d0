//! Progress on standard error: a bar at a terminal (done, total, rate, time left), plain lines
//! otherwise, nothing with `--quiet`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub enum Progress {
    Quiet,
    Bar(ProgressBar),
    Lines {
        label: &'static str,
        total: Option<u64>,
    },
}

impl Progress {
    pub fn new(label: &'static str, total: Option<u64>, quiet: bool) -> Self {
        if quiet {
            return Progress::Quiet;
        }
        if !std::io::stderr().is_terminal() {
            return Progress::Lines { label, total };
        }
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
        let template = if total.is_some() {
            "{msg} [{bar:30}] {pos}/{len} records, {per_sec}, {eta} left"
        } else {
            "{msg} {pos} records, {per_sec}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(label);
        Progress::Bar(bar)
    }

    pub fn set_total(&mut self, new_total: u64) {
        match self {
            Progress::Bar(bar) => bar.set_length(new_total),
            Progress::Lines { total, .. } => *total = Some(new_total),
            Progress::Quiet => {}
        }
    }

    /// `done` records so far.
    pub fn update(&self, done: u64) {
        match self {
            Progress::Quiet => {}
            Progress::Bar(bar) => bar.set_position(done),
            Progress::Lines { label, total } => match total {
                Some(total) => eprintln!("{label}: {done}/{total} records"),
                None => eprintln!("{label}: {done} records"),
            },
        }
    }

    /// Ends the bar and prints the outcome (also with plain lines).
    pub fn finish(&self, message: &str) {
        match self {
            Progress::Quiet => {}
            Progress::Bar(bar) => {
                bar.finish_and_clear();
                eprintln!("{message}");
            }
            Progress::Lines { .. } => eprintln!("{message}"),
        }
    }
}
