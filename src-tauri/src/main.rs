fn main() { rota::run() }
