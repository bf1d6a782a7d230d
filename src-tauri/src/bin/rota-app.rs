// The tray and the windows; `rota` (the command line) starts it when given no subcommand.
fn main() {
    rota::run_app()
}
