//! `jetdeck completions SHELL` and `jetdeck man`: generated from the clap definitions, so
//! they never disagree with `--help`.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

/// The shells `jetdeck completions` writes a script for.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Writes the completion script for `shell` to stdout.
pub(crate) fn completions(shell: Shell) -> ExitCode {
    let mut command = crate::Cli::command();
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "jetdeck", &mut out);
    emit(&out)
}

/// Writes the man page (roff) to stdout.
pub(crate) fn man() -> ExitCode {
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(crate::Cli::command()).render(&mut out) {
        eprintln!("jetdeck: cannot render the man page: {e}");
        return ExitCode::FAILURE;
    }
    emit(&out)
}

fn emit(bytes: &[u8]) -> ExitCode {
    // Not print!: a closed pipe (`jetdeck man | head`) must not panic.
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jetdeck: {e}");
            ExitCode::FAILURE
        }
    }
}
