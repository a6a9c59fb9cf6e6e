//! Messages on standard error that cannot panic. `eprintln!` panics when stderr is a pipe
//! whose reader has gone (`throttlelab validate bad/*.toml 2>&1 | head -1` exited 101), so
//! the binary writes every warning, error and progress line through [`write_stderr`], which
//! drops what cannot be written: with no reader there is nobody left to tell. The exit code
//! still says how the command ended (tests/cli/cli_closed_pipe.rs).

use std::io::Write;

/// Write `text` to standard error; a failed write (a closed pipe) is ignored.
pub fn write_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// `eprintln!` through [`write_stderr`]: a line on standard error, never a panic.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::stderr::write_stderr(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` through [`write_stderr`].
macro_rules! err_print {
    ($($arg:tt)*) => {
        $crate::stderr::write_stderr(&format!($($arg)*))
    };
}
