// Rota's windows and its portable tray; `rota` starts it.
fn main() {
    rota_app::args::main()
}
